using Orleans.Concurrency;

namespace OrleansRouting;

/// <summary>
/// One of <see cref="RecentSessions.Shards"/> in-memory lists of recently changed sessions, for operators. Sharded so
/// no single activation sits on the webhook path; sessions report with one-way calls and nobody waits for them.
/// </summary>
[Alias("OrleansRouting.IRecentSessionsGrain")]
public interface IRecentSessionsGrain : IGrainWithIntegerKey
{
    [OneWay, Alias("Record")]
    Task Record(SessionSummary summary);

    [Alias("List"), ReadOnly]
    Task<IReadOnlyList<SessionSummary>> List(int max);
}

/// <summary>Reads the session storage provider: readiness means "a silo can reach session storage".</summary>
[Alias("OrleansRouting.IStorageProbeGrain")]
public interface IStorageProbeGrain : IGrainWithIntegerKey
{
    [Alias("Probe")]
    Task Probe();
}

[GenerateSerializer, Immutable, Alias("OrleansRouting.SessionSummary")]
public sealed record SessionSummary(
    [property: Id(0)] string SessionId,
    [property: Id(1)] SessionStatus Status,
    [property: Id(2)] string? QueueName,
    [property: Id(3)] string? InteractionId,
    [property: Id(4)] int Attempts,
    [property: Id(5)] string? LastError,
    [property: Id(6)] DateTimeOffset UpdatedAt);

public static class RecentSessions
{
    public const int Shards = 8;

    /// <summary>Stable across processes (string.GetHashCode is not), so a session always reports to the same shard.</summary>
    public static int ShardOf(string sessionId)
    {
        var hash = 2166136261u;
        foreach (var c in sessionId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Shards);
    }
}
