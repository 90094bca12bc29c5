namespace OrleansRouting.Grains.Routing;

/// <summary>How a session's state reads to its callers.</summary>
internal static class SessionStateExtensions
{
    public static RoutingDecision ToDecision(this SessionState state) =>
        new(state.Intent ?? "", state.Confidence, state.QueueName ?? "", state.UsedFallback);

    public static RoutingResult ToResult(this SessionState state, RoutingStatus status, bool duplicate = false, RoutingError? error = null)
    {
        error ??= status != RoutingStatus.Routed && state.LastError is { } last ? new RoutingError(last, state.LastCxoneStatus, null) : null;
        return new(status, state.ToDecision(), state.QueueId, state.InteractionId, duplicate, error, state.Attempts, state.NextAttemptAt);
    }

    public static SessionSummary ToSummary(this SessionState state, string sessionId, DateTimeOffset now) =>
        new(sessionId, state.Status, state.QueueName, state.InteractionId, state.Attempts, state.LastError, now);

    public static RoutingStatus ToRoutingStatus(this CxoneException exception) => exception.Kind switch
    {
        CxoneFailureKind.Rejected => RoutingStatus.CxoneRejected,
        CxoneFailureKind.Timeout => RoutingStatus.CxoneTimeout,
        _ => RoutingStatus.CxoneUnavailable,
    };
}
