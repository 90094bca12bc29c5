namespace OrleansRouting;

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

    public bool IsRouted => InteractionId is not null;
}
