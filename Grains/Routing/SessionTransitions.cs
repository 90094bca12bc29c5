namespace OrleansRouting.Grains.Routing;

/// <summary>
/// The state changes of a session's routing cycle, one method per transition, so the grain reads as the order in
/// which they happen and each transition sets every field it owns.
/// </summary>
internal static class SessionTransitions
{
    public static void BeginCycle(this SessionState state, Escalation escalation, RoutingDecision decision, DateTimeOffset now, TimeSpan giveUpAfter)
    {
        state.Escalation = escalation;
        state.FirstSeenAt ??= now;
        state.GiveUpAt = now + giveUpAfter;
        state.Intent = decision.Intent;
        state.Confidence = decision.Confidence;
        state.QueueName = decision.QueueName;
        state.UsedFallback = decision.UsedFallback;
        state.FailureStatus = null;

        // A settled session's reminder is its expiry; the new cycle must register its own recovery reminder.
        state.ReminderScheduled = false;
    }

    public static void BeginAttempt(this SessionState state, DateTimeOffset now)
    {
        state.Attempts++;
        state.LastAttemptAt = now;
        state.NextAttemptAt = null;
    }

    /// <summary>From here until the outcome is written, CXone may hold an interaction we have not recorded.</summary>
    public static void BeginCreate(this SessionState state, string queueId, DateTimeOffset now)
    {
        state.QueueId = queueId;
        state.Status = SessionStatus.Pending;
        state.CreateStartedAt = now;
    }

    /// <summary>
    /// Routed for good. The escalation (customer name, e-mail, what they typed) was kept only to rebuild a retry; it
    /// now lives in CXone and is dropped here, which also keeps stored sessions small.
    /// </summary>
    public static void Routed(this SessionState state, string interactionId, DateTimeOffset now)
    {
        state.Escalation = null;
        state.InteractionId = interactionId;
        state.Status = SessionStatus.Routed;
        state.RoutedAt = now;
        state.CreateStartedAt = null;
        state.LastError = null;
        state.LastCxoneStatus = null;
    }

    public static void RetryAt(this SessionState state, DateTimeOffset next, CxoneException cause)
    {
        state.Status = SessionStatus.Pending;
        state.NextAttemptAt = next;
        state.LastError = cause.Message;
        state.LastCxoneStatus = cause.Status;
    }

    public static void Failed(this SessionState state, RoutingStatus status, string message, int? cxoneStatus)
    {
        state.Status = SessionStatus.Failed;
        state.FailureStatus = status;
        state.LastError = message;
        state.LastCxoneStatus = cxoneStatus;
        state.NextAttemptAt = null;
        state.CreateStartedAt = null;
    }
}
