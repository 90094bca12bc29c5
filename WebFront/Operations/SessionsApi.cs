using Microsoft.AspNetCore.Http.HttpResults;
using OrleansRouting.WebFront.Hosting;
using OrleansRouting.WebFront.Webhook;

namespace OrleansRouting.WebFront.Operations;

/// <summary>
/// Operators' view of sessions, behind the webhook's authentication: one session's full record, and the most recent
/// changes across the cluster (the Orleans Dashboard can show a session given its id, but cannot list them).
/// </summary>
public static class SessionsApi
{
    public const int MaxRecent = 500;

    public static RouteGroupBuilder MapSessionsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/sessions").RequireAuthorization(OperatorAccess.Policy);
        group.MapGet("/", ListRecentAsync);
        group.MapGet("/{sessionId}", GetAsync);
        return group;
    }

    internal static async Task<Results<Ok<SessionView>, ProblemHttpResult>> GetAsync(
        string sessionId, IClusterClient cluster, ClusterCalls calls, HttpResponse response, CancellationToken cancellationToken)
    {
        if (TextRules.SessionIdProblem(sessionId) is { } problem)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid session id", detail: $"The session id {problem}.");
        }

        try
        {
            var state = await calls.InvokeAsync(() => cluster.GetGrain<ISessionGrain>(sessionId).GetState(), cancellationToken);
            return state.Status == SessionStatus.New && state.FirstSeenAt is null
                ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Session not found", detail: $"No session '{sessionId}' is stored (never seen, or past its dedup window).")
                : TypedResults.Ok(SessionView.From(sessionId, state));
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            return Problems.ClusterUnavailable(response);
        }
    }

    internal static async Task<Results<Ok<RecentSessionsView>, ProblemHttpResult>> ListRecentAsync(
        IClusterClient cluster, ClusterCalls calls, HttpResponse response, CancellationToken cancellationToken, int limit = 50)
    {
        if (limit is < 1 or > MaxRecent)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid limit", detail: $"limit must be between 1 and {MaxRecent}.");
        }

        try
        {
            var shards = await Task.WhenAll(Enumerable.Range(0, RecentSessions.Shards).Select(shard =>
                calls.InvokeAsync(() => cluster.GetGrain<IRecentSessionsGrain>(shard).List(limit), cancellationToken)));
            var recent = shards.SelectMany(s => s).OrderByDescending(s => s.UpdatedAt).Take(limit).ToList();
            return TypedResults.Ok(new RecentSessionsView(recent.Count, recent));
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            return Problems.ClusterUnavailable(response);
        }
    }
}

public sealed record RecentSessionsView(int Count, IReadOnlyList<SessionSummary> Sessions);

/// <summary>A session as an operator reads it: routing decision, CXone outcome, attempts, last error, timestamps.</summary>
public sealed record SessionView(
    string SessionId,
    string Status,
    string? Intent,
    double Confidence,
    string? QueueName,
    string? QueueId,
    bool UsedFallback,
    string? InteractionId,
    int Attempts,
    string? LastError,
    int? LastCxoneStatus,
    string? FailureStatus,
    DateTimeOffset? FirstSeenAt,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? RoutedAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? GiveUpAt,
    DateTimeOffset? CreateInFlightSince)
{
    public static SessionView From(string sessionId, SessionState state) => new(
        sessionId,
        state.Status.ToString(),
        state.Intent,
        state.Confidence,
        state.QueueName,
        state.QueueId,
        state.UsedFallback,
        state.InteractionId,
        state.Attempts,
        state.LastError,
        state.LastCxoneStatus,
        state.FailureStatus?.ToString(),
        state.FirstSeenAt,
        state.LastAttemptAt,
        state.RoutedAt,
        state.NextAttemptAt,
        state.GiveUpAt,
        state.CreateStartedAt);
}
