using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace OrleansRouting.WebFront.Webhook;

/// <summary>RFC 7807 answers for everything the webhook can refuse; each says what is wrong and whether to retry.</summary>
internal static class Problems
{
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(5);

    public static ProblemHttpResult UnsupportedMediaType() => TypedResults.Problem(
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported media type",
        detail: "Send the webhook body as application/json.");

    public static ProblemHttpResult PayloadTooLarge(int maxBytes) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Payload too large",
        detail: $"The body must be at most {maxBytes} bytes.");

    public static ProblemHttpResult MalformedJson(JsonException exception) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "Malformed JSON",
        // The parser's position is useful to whoever builds the Cognigy node; its message quotes no input.
        detail: $"The body is not valid JSON (line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1}).");

    public static ValidationProblem Invalid(IReadOnlyDictionary<string, string[]> errors) => TypedResults.ValidationProblem(
        errors,
        title: "Invalid webhook payload",
        detail: string.Join(" ", errors.Values.SelectMany(messages => messages)));

    public static ProblemHttpResult ClusterUnavailable(HttpResponse response) => Unavailable(
        response,
        "Routing cluster unavailable",
        "The routing cluster did not answer; retrying is safe, the session is deduplicated.",
        TimeSpan.FromSeconds(1),
        null);

    public static ProblemHttpResult FromRouting(RoutingResult result, HttpResponse response)
    {
        var error = result.Error!;
        var extensions = new Dictionary<string, object?>
        {
            ["intent"] = result.Decision.Intent,
            ["queueName"] = result.Decision.QueueName,
        };
        if (error.CxoneStatus is { } cxoneStatus)
        {
            extensions["cxoneStatus"] = cxoneStatus;
        }

        return result.Status switch
        {
            RoutingStatus.QueueNotFound => TypedResults.Problem(
                statusCode: StatusCodes.Status422UnprocessableEntity, title: "Queue not found", detail: error.Message, extensions: extensions),
            RoutingStatus.CxoneRejected => TypedResults.Problem(
                statusCode: StatusCodes.Status502BadGateway, title: "CXone rejected the request", detail: error.Message, extensions: extensions),
            RoutingStatus.CxoneTimeout => TypedResults.Problem(
                statusCode: StatusCodes.Status504GatewayTimeout, title: "CXone timed out", detail: $"{error.Message}; retrying is safe.", extensions: extensions),
            _ => Unavailable(response, "CXone unavailable", $"{error.Message}; retrying is safe.", error.RetryAfter ?? DefaultRetryAfter, extensions),
        };
    }

    private static ProblemHttpResult Unavailable(HttpResponse response, string title, string detail, TimeSpan retryAfter, Dictionary<string, object?>? extensions)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        extensions ??= [];
        extensions["retryAfterSeconds"] = seconds;
        return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: title, detail: detail, extensions: extensions);
    }
}
