using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

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

    internal static async Task<Results<Ok<WebhookSuccess>, ProblemHttpResult, ValidationProblem>> HandleCognigyAsync(
        HttpRequest request, IClusterClient cluster, IOptions<WebhookLimits> options, CancellationToken cancellationToken)
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
            result = await cluster.GetGrain<ISessionGrain>(escalation.SessionId).Route(escalation);
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            // The session grain deduplicates, so a retry after a cluster hiccup cannot create a second interaction.
            return Problems.ClusterUnavailable(request.HttpContext.Response);
        }

        return result.Status == RoutingStatus.Routed
            ? TypedResults.Ok(new WebhookSuccess("success", result.InteractionId!, result.QueueId!, result.Decision.QueueName, result.Decision.Intent, result.Duplicate))
            : Problems.FromRouting(result, request.HttpContext.Response);
    }
}

/// <summary>The answer Cognigy gets; the seed's fields plus what the bridge decided.</summary>
public sealed record WebhookSuccess(string Status, string CxoneInteractionId, string QueueId, string QueueName, string Intent, bool Duplicate);
