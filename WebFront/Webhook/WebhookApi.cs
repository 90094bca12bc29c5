using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrleansRouting.WebFront.Hosting;

namespace OrleansRouting.WebFront.Webhook;

public static class WebhookApi
{
    public static WebApplicationBuilder AddWebhook(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookLimits>().Bind(builder.Configuration.GetSection(WebhookLimits.Section));
        return builder;
    }

    public static RouteGroupBuilder MapWebhookApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/webhook").RequireAuthorization();
        group.MapPost("/cognigy", HandleCognigyAsync);
        return group;
    }

    internal static async Task<Results<Ok<WebhookSuccess>, Accepted<WebhookPending>, ProblemHttpResult, ValidationProblem>> HandleCognigyAsync(
        HttpRequest request, IClusterClient cluster, ClusterCalls calls, IOptions<WebhookLimits> options, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        if (!request.HasJsonContentType())
        {
            return Problems.UnsupportedMediaType();
        }

        var body = await BoundedBody.ReadAsync(request, limits.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Problems.PayloadTooLarge(limits.MaxBodyBytes);
        }

        Escalation? escalation;
        var reader = new WebhookPayloadReader(limits);
        try
        {
            using var document = JsonDocument.Parse(body.Value, new JsonDocumentOptions { MaxDepth = limits.MaxJsonDepth });
            escalation = reader.Read(document.RootElement);
        }
        catch (JsonException ex)
        {
            return Problems.MalformedJson(ex);
        }

        if (escalation is null)
        {
            return Problems.Invalid(reader.Errors);
        }

        RoutingResult result;
        try
        {
            var session = cluster.GetGrain<ISessionGrain>(escalation.SessionId);
            result = await calls.InvokeAsync(() => session.Route(escalation), cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            // Out of budget; the caller's own retry is just as safe as ours was.
            return Problems.ClusterUnavailable(request.HttpContext.Response);
        }

        return result.Status switch
        {
            RoutingStatus.Routed => TypedResults.Ok(new WebhookSuccess(
                "success", result.InteractionId!, result.QueueId!, result.Decision.QueueName, result.Decision.Intent, result.Duplicate)),
            RoutingStatus.Pending => TypedResults.Accepted((string?)null, new WebhookPending(
                "pending", escalation.SessionId, result.Decision.QueueName, result.Decision.Intent, result.Attempts, result.Error?.Message, result.NextAttemptAt)),
            _ => Problems.FromRouting(result, request.HttpContext.Response),
        };
    }
}

/// <summary>
/// Not created within the answer budget: the bridge keeps trying (durably) and a repeat of the same webhook returns
/// the current status; Cognigy need not, and must not be able to, start a second creation.
/// </summary>
public sealed record WebhookPending(string Status, string SessionId, string QueueName, string Intent, int Attempts, string? LastError, DateTimeOffset? NextAttemptAt);

/// <summary>The answer Cognigy gets; the seed's fields plus what the bridge decided.</summary>
public sealed record WebhookSuccess(string Status, string CxoneInteractionId, string QueueId, string QueueName, string Intent, bool Duplicate);
