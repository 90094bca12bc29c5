using Orleans.Concurrency;

namespace OrleansRouting;

/// <summary>One per Cognigy session (key: the Cognigy sessionId); the idempotency boundary.</summary>
[Alias("OrleansRouting.ISessionGrain")]
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>Creates the session's CXone interaction once; every later call returns the stored outcome.</summary>
    [Alias("Route")]
    Task<RoutingResult> Route(Escalation escalation);

    /// <summary>The persisted state; zero-argument so the Orleans Dashboard's Grain Details page can call it.</summary>
    [Alias("GetState"), ReadOnly, AlwaysInterleave]
    Task<SessionState> GetState();
}

/// <summary>The cluster's single CXone OAuth token (key 0).</summary>
[Alias("OrleansRouting.ITokenGrain")]
public interface ITokenGrain : IGrainWithIntegerKey
{
    [Alias("GetToken")]
    Task<AccessToken> GetToken();

    /// <summary>
    /// Called when CXone answered 401 to <paramref name="rejectedToken"/>: fetches a new token unless another
    /// caller already replaced it, so a burst of 401s costs one token request.
    /// </summary>
    [Alias("Renew")]
    Task<AccessToken> Renew(string rejectedToken);
}

/// <summary>The cluster's queue name to id directory (key 0), a TTL cache over CXone's queue search.</summary>
[Alias("OrleansRouting.IQueueDirectoryGrain")]
public interface IQueueDirectoryGrain : IGrainWithIntegerKey
{
    [Alias("Resolve")]
    Task<QueueEntry> Resolve(string queueName);
}

/// <summary>A bearer token with the lifetime CXone gave it (<c>expires_in</c>), never an assumed one.</summary>
[GenerateSerializer, Immutable, Alias("OrleansRouting.AccessToken")]
public sealed record AccessToken(
    [property: Id(0)] string Value,
    [property: Id(1)] DateTimeOffset IssuedAt,
    [property: Id(2)] DateTimeOffset ExpiresAt)
{
    /// <summary>From here on a fresh token is fetched in the background while this one keeps serving.</summary>
    public DateTimeOffset RefreshAt => IssuedAt + ((ExpiresAt - IssuedAt) * 0.75);

    /// <summary>Past this the token is not sent any more: it could expire in flight.</summary>
    public DateTimeOffset UsableUntil => ExpiresAt - TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, (ExpiresAt - IssuedAt).Ticks / 10));

    /// <summary>Never in logs: the token is a credential.</summary>
    public override string ToString() => $"AccessToken(expires {ExpiresAt:O})";
}

/// <summary>A cached lookup; <see cref="QueueId"/> is null when CXone has no queue of that name.</summary>
[GenerateSerializer, Immutable, Alias("OrleansRouting.QueueEntry")]
public sealed record QueueEntry(
    [property: Id(0)] string QueueName,
    [property: Id(1)] string? QueueId,
    [property: Id(2)] DateTimeOffset ValidUntil);
