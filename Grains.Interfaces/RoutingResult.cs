namespace OrleansRouting;

public enum RoutingStatus
{
    /// <summary>The session has exactly one CXone interaction.</summary>
    Routed = 0,

    /// <summary>The mapped queue name does not exist in CXone.</summary>
    QueueNotFound = 1,

    /// <summary>CXone refused our request (4xx other than 429, or 401 even after a fresh token).</summary>
    CxoneRejected = 2,

    /// <summary>CXone was unreachable, throttling or failing after our retries; safe to retry later.</summary>
    CxoneUnavailable = 3,

    /// <summary>CXone did not answer within the time budget; safe to retry (the session grain deduplicates).</summary>
    CxoneTimeout = 4,

    /// <summary>Not created within the answer budget; the session keeps retrying in the background.</summary>
    Pending = 5,
}

/// <summary>Which queue an escalation goes to and why.</summary>
[GenerateSerializer, Immutable, Alias("OrleansRouting.RoutingDecision")]
public sealed record RoutingDecision(
    [property: Id(0)] string Intent,
    [property: Id(1)] double Confidence,
    [property: Id(2)] string QueueName,
    [property: Id(3)] bool UsedFallback);

/// <summary>What went wrong talking to CXone; <see cref="CxoneStatus"/> is null when CXone never answered.</summary>
[GenerateSerializer, Immutable, Alias("OrleansRouting.RoutingError")]
public sealed record RoutingError(
    [property: Id(0)] string Message,
    [property: Id(1)] int? CxoneStatus,
    [property: Id(2)] TimeSpan? RetryAfter);

/// <summary>The session grain's answer to one webhook call.</summary>
[GenerateSerializer, Immutable, Alias("OrleansRouting.RoutingResult")]
public sealed record RoutingResult(
    [property: Id(0)] RoutingStatus Status,
    [property: Id(1)] RoutingDecision Decision,
    [property: Id(2)] string? QueueId,
    [property: Id(3)] string? InteractionId,
    [property: Id(4)] bool Duplicate,
    [property: Id(5)] RoutingError? Error,
    [property: Id(6)] int Attempts = 0,
    [property: Id(7)] DateTimeOffset? NextAttemptAt = null);
