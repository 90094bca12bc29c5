namespace OrleansRouting;

public enum SessionStatus
{
    /// <summary>No attempt yet.</summary>
    New = 0,

    /// <summary>An attempt is running or a retry is scheduled; a reminder wakes the session up after a crash.</summary>
    Pending = 1,

    /// <summary>The session has its one CXone interaction. Terminal.</summary>
    Routed = 2,

    /// <summary>The last cycle failed for good (rejected, queue not found, or retries gave up); the next webhook starts a new one.</summary>
    Failed = 3,
}

/// <summary>
/// The persisted record of one Cognigy session. Stored as JSON with type names by the Azure providers,
/// so the type name is pinned with an alias and ids are never renumbered.
/// </summary>
[GenerateSerializer, Alias("OrleansRouting.SessionState")]
public sealed class SessionState
{
    [Id(0)] public string? Intent { get; set; }
    [Id(1)] public double Confidence { get; set; }
    [Id(2)] public string? QueueName { get; set; }
    [Id(3)] public string? QueueId { get; set; }
    [Id(4)] public string? InteractionId { get; set; }
    [Id(5)] public bool UsedFallback { get; set; }
    [Id(6)] public DateTimeOffset? FirstSeenAt { get; set; }
    [Id(7)] public DateTimeOffset? LastAttemptAt { get; set; }
    [Id(8)] public DateTimeOffset? RoutedAt { get; set; }
    [Id(9)] public int Attempts { get; set; }
    [Id(10)] public string? LastError { get; set; }
    [Id(11)] public int? LastCxoneStatus { get; set; }
    [Id(12)] public SessionStatus Status { get; set; }

    /// <summary>The escalation being routed, kept so a retry after a crash can rebuild the CXone request.</summary>
    [Id(13)] public Escalation? Escalation { get; set; }

    /// <summary>
    /// Set (and written) before the interaction POST, cleared once its outcome is written: if found set after a
    /// crash, CXone may already hold the interaction, so the retry reuses the same Idempotency-Key.
    /// </summary>
    [Id(14)] public DateTimeOffset? CreateStartedAt { get; set; }

    [Id(15)] public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>When background retries of the current cycle stop.</summary>
    [Id(16)] public DateTimeOffset? GiveUpAt { get; set; }

    /// <summary>Why the last cycle failed, as answered to the caller.</summary>
    [Id(17)] public RoutingStatus? FailureStatus { get; set; }

    /// <summary>
    /// Whether the session's reminder is registered: every minute or so while pending (resumes after a crash), once
    /// at the end of the dedup window when settled (removes the state).
    /// </summary>
    [Id(18)] public bool ReminderScheduled { get; set; }

    /// <summary>When the session stopped changing (routed, or its last cycle failed); the dedup window counts from here.</summary>
    public DateTimeOffset? SettledAt => Status switch
    {
        SessionStatus.Routed => RoutedAt,
        SessionStatus.Failed => LastAttemptAt,
        _ => null,
    };

    public bool IsRouted => InteractionId is not null;
}
