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

    private const string ActionList = "fail, errorRate, failFor, latency, hang, hangFor, hangRate, drop, dropRate, revoke, expire, clear";

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
            PerEndpoint(state.RequestCount),
            state.TokensIssued,
            state.InteractionsCreated,
            state.QueueLookups.Count,
            state.DroppedResponses,
            state.IdempotentReplays,
            PerEndpoint(state.InjectedFailures),
            PerEndpoint(state.HungRequests),
            state.InteractionCountsBySession(),
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

        if (fault?.Action is not { Length: > 0 } actionName)
        {
            await BadRequestAsync(context, $"Field 'action' is required ({ActionList})");
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

        if (CanonicalAction(actionName) is not { } action)
        {
            await BadRequestAsync(context, $"Field 'action' must be one of {ActionList}");
            return;
        }

        if (endpoint is null && action is not ("revoke" or "expire" or "clear"))
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

        string? problem = Apply(action, endpoint, count, fault);
        if (problem is not null)
        {
            await BadRequestAsync(context, problem);
            return;
        }

        await WriteAppliedAsync(context, action, endpoint is { } applied ? EndpointName(applied) : null);
    }

    /// <summary>Applies a validated action; returns a problem description instead when a field is missing or out of range.</summary>
    private string? Apply(string action, SandboxEndpoint? endpoint, int count, FaultRequest fault)
    {
        TimeSpan? retryAfter = fault.RetryAfterSeconds is { } seconds ? TimeSpan.FromSeconds(Math.Max(0, seconds)) : null;
        int status = fault.Status ?? StatusCodes.Status503ServiceUnavailable;
        bool usesStatus = action is "fail" or "errorRate" or "failFor";
        if (usesStatus && status is < 100 or > 599)
        {
            return "Field 'status' must be an HTTP status code from 100 to 599";
        }

        bool usesRate = action is "errorRate" or "hangRate" or "dropRate";
        double rate = fault.Rate ?? double.NaN;
        if (usesRate && !(rate >= 0 && rate <= 1))
        {
            return $"Field 'rate' is required for action '{action}': a probability from 0 to 1";
        }

        bool usesDuration = action is "failFor" or "hangFor";
        if (usesDuration && fault.DurationMs is not >= 0)
        {
            return $"Field 'durationMs' is required for action '{action}' and must not be negative";
        }

        TimeSpan duration = TimeSpan.FromMilliseconds(fault.DurationMs ?? 0);
        switch (action)
        {
            case "fail":
                state.FailNext(endpoint!.Value, count, status, fault.Message, retryAfter);
                break;
            case "errorRate":
                state.SetErrorRate(endpoint!.Value, rate, status, retryAfter, fault.Message);
                break;
            case "failFor":
                state.FailFor(endpoint!.Value, duration, status, retryAfter, fault.Message);
                break;
            case "latency":
                state.SetLatency(endpoint!.Value, TimeSpan.FromMilliseconds(Math.Max(0, fault.LatencyMs ?? 0)));
                break;
            case "hang":
                state.HangNext(endpoint!.Value, count);
                break;
            case "hangFor":
                state.HangFor(endpoint!.Value, duration);
                break;
            case "hangRate":
                state.SetHangRate(endpoint!.Value, rate);
                break;
            case "drop":
                state.DropResponseNext(endpoint!.Value, count);
                break;
            case "dropRate":
                state.SetDropResponseRate(endpoint!.Value, rate);
                break;
            case "revoke":
                state.RevokeAllTokens();
                break;
            case "expire":
                state.ExpireAllTokens();
                break;
            default: // "clear"
                if (endpoint is { } single)
                {
                    state.ClearFaults(single);
                }
                else
                {
                    state.ClearFaults();
                }

                break;
        }

        return null;
    }

    /// <summary>Actions match case-insensitively and are reported back in their canonical spelling.</summary>
    private static string? CanonicalAction(string name) => name.ToLowerInvariant() switch
    {
        "fail" => "fail",
        "errorrate" => "errorRate",
        "failfor" => "failFor",
        "latency" => "latency",
        "hang" => "hang",
        "hangfor" => "hangFor",
        "hangrate" => "hangRate",
        "drop" => "drop",
        "droprate" => "dropRate",
        "revoke" => "revoke",
        "expire" => "expire",
        "clear" => "clear",
        _ => null,
    };

    private static RequestCounts PerEndpoint(Func<SandboxEndpoint, int> read) =>
        new(read(SandboxEndpoint.Token), read(SandboxEndpoint.Queues), read(SandboxEndpoint.Interactions));

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
