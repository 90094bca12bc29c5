using System.Text.Json;

namespace CxoneSandbox;

/// <summary>
/// Unauthenticated control endpoints for the run script and humans; the sandbox is a dev tool.
/// Admin requests are not counted in the per-endpoint statistics.
/// </summary>
internal sealed class AdminHandlers(SandboxState state)
{
    public const string Description =
        "CXone sandbox (NICE CXone REST API emulator): POST /oauth/token, GET /api/v2/queues, POST /api/v2/interactions; "
        + "admin: GET /_sandbox/stats, POST /_sandbox/reset, POST /_sandbox/faults";

    public static Task DescribeAsync(HttpContext context)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(Description + "\n", context.RequestAborted);
    }

    public Task StatsAsync(HttpContext context)
    {
        // ?interactions=false keeps the answer small after a long benchmark.
        bool includeInteractions = !string.Equals(context.Request.Query["interactions"], "false", StringComparison.OrdinalIgnoreCase);
        var stats = new StatsResponse(
            new RequestCounts(
                state.RequestCount(SandboxEndpoint.Token),
                state.RequestCount(SandboxEndpoint.Queues),
                state.RequestCount(SandboxEndpoint.Interactions)),
            state.TokensIssued,
            state.InteractionsCreated,
            state.QueueLookups.Count,
            state.SessionCounts(),
            includeInteractions
                ? [.. state.Interactions.Select(static i => new InteractionSummary(i.Id, i.SessionId, i.QueueId, i.Priority, i.CreatedAt))]
                : null);
        return context.Response.WriteAsJsonAsync(stats, SandboxJson.Context.StatsResponse, contentType: null, context.RequestAborted);
    }

    public Task ResetAsync(HttpContext context)
    {
        state.Reset();
        return WriteAppliedAsync(context, "reset", null);
    }

    public async Task FaultsAsync(HttpContext context)
    {
        FaultRequest? fault;
        try
        {
            fault = await JsonSerializer.DeserializeAsync(context.Request.Body, SandboxJson.Context.FaultRequest, context.RequestAborted);
        }
        catch (JsonException ex)
        {
            await BadRequestAsync(context, $"Request body is not valid JSON: {ex.Message}");
            return;
        }

        if (fault?.Action is not { Length: > 0 } action)
        {
            await BadRequestAsync(context, "Field 'action' is required (fail, latency, hang, revoke, expire, clear)");
            return;
        }

        SandboxEndpoint? endpoint = null;
        if (fault.Endpoint is { Length: > 0 } endpointName)
        {
            endpoint = ParseEndpoint(endpointName);
            if (endpoint is null)
            {
                await BadRequestAsync(context, "Field 'endpoint' must be one of token, queues, interactions");
                return;
            }
        }

        action = action.ToLowerInvariant();
        bool needsEndpoint = action is "fail" or "latency" or "hang";
        if (needsEndpoint && endpoint is null)
        {
            await BadRequestAsync(context, $"Field 'endpoint' is required for action '{action}'");
            return;
        }

        int count = fault.Count ?? 1;
        if (count < 0)
        {
            await BadRequestAsync(context, "Field 'count' must not be negative");
            return;
        }

        switch (action)
        {
            case "fail":
                int status = fault.Status ?? StatusCodes.Status503ServiceUnavailable;
                if (status is < 100 or > 599)
                {
                    await BadRequestAsync(context, "Field 'status' must be an HTTP status code from 100 to 599");
                    return;
                }

                TimeSpan? retryAfter = fault.RetryAfterSeconds is { } seconds ? TimeSpan.FromSeconds(Math.Max(0, seconds)) : null;
                state.FailNext(endpoint!.Value, count, status, fault.Message, retryAfter);
                break;
            case "latency":
                state.SetLatency(endpoint!.Value, TimeSpan.FromMilliseconds(Math.Max(0, fault.LatencyMs ?? 0)));
                break;
            case "hang":
                state.HangNext(endpoint!.Value, count);
                break;
            case "revoke":
                state.RevokeAllTokens();
                break;
            case "expire":
                state.ExpireAllTokens();
                break;
            case "clear":
                foreach (SandboxEndpoint target in endpoint is { } single ? [single] : Enum.GetValues<SandboxEndpoint>())
                {
                    state.ClearFaults(target);
                }

                break;
            default:
                await BadRequestAsync(context, "Field 'action' must be one of fail, latency, hang, revoke, expire, clear");
                return;
        }

        await WriteAppliedAsync(context, action, endpoint is { } applied ? EndpointName(applied) : null);
    }

    internal static SandboxEndpoint? ParseEndpoint(string name) => name.ToLowerInvariant() switch
    {
        "token" => SandboxEndpoint.Token,
        "queues" => SandboxEndpoint.Queues,
        "interactions" => SandboxEndpoint.Interactions,
        _ => null,
    };

    private static string EndpointName(SandboxEndpoint endpoint) => endpoint switch
    {
        SandboxEndpoint.Token => "token",
        SandboxEndpoint.Queues => "queues",
        _ => "interactions",
    };

    private static Task BadRequestAsync(HttpContext context, string message) =>
        CxoneApiHandlers.WriteErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_request", message);

    private static Task WriteAppliedAsync(HttpContext context, string action, string? endpoint) =>
        context.Response.WriteAsJsonAsync(
            new FaultApplied(action, endpoint), SandboxJson.Context.FaultApplied, contentType: null, context.RequestAborted);
}
