using System.Collections.Concurrent;

namespace CxoneSandbox;

/// <summary>
/// Live counters, recorded interactions and fault controls of one sandbox. Thread-safe and lock-free:
/// the sandbox serves benchmark traffic, so nothing here takes a global lock on the request path.
/// </summary>
public sealed class SandboxState
{
    private static readonly SandboxEndpoint[] s_endpoints = Enum.GetValues<SandboxEndpoint>();

    private readonly int[] _requestCounts = new int[s_endpoints.Length];
    private readonly EndpointFaults[] _faults = [.. s_endpoints.Select(static _ => new EndpointFaults())];
    private readonly ConcurrentQueue<CreatedInteraction> _interactions = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<CreatedInteraction>> _bySession = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CreatedInteraction> _byIdempotencyKey = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _queueLookups = new();
    private readonly TimeProvider _time;
    private int _tokensIssued;
    private int _interactionsCreated;
    private volatile string? _expectedAudience;

    internal SandboxState(SandboxOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.TokenLifetimeSeconds);
        _time = time;
        ClientId = options.ClientId ?? string.Empty;
        ClientSecret = options.ClientSecret ?? string.Empty;
        ConfiguredAudience = options.Audience;
        _expectedAudience = options.Audience;
        TokenLifetime = TimeSpan.FromSeconds(options.TokenLifetimeSeconds);
        TokenLifetimeSeconds = options.TokenLifetimeSeconds;
        Queues = new QueueCatalog(options.Queues);
        Tokens = new TokenStore(time);
    }

    public int TokensIssued => Volatile.Read(ref _tokensIssued);

    /// <summary>Distinct interactions created; idempotent replays are not counted.</summary>
    public int InteractionsCreated => Volatile.Read(ref _interactionsCreated);

    /// <summary>Snapshot in creation order.</summary>
    public IReadOnlyList<CreatedInteraction> Interactions => _interactions.ToArray();

    /// <summary>Queue names asked for (requests that carried <c>name</c>), in arrival order.</summary>
    public IReadOnlyList<string> QueueLookups => _queueLookups.ToArray();

    /// <summary>The audience the token endpoint expects; known once the host has bound its address.</summary>
    public string? ExpectedAudience => _expectedAudience;

    internal string ClientId { get; }

    internal string ClientSecret { get; }

    internal string? ConfiguredAudience { get; }

    internal TimeSpan TokenLifetime { get; }

    internal int TokenLifetimeSeconds { get; }

    internal QueueCatalog Queues { get; }

    internal TokenStore Tokens { get; }

    internal TimeProvider Time => _time;

    /// <summary>Every request received on the endpoint, including ones answered with an injected fault.</summary>
    public int RequestCount(SandboxEndpoint endpoint) => Volatile.Read(ref _requestCounts[Index(endpoint)]);

    /// <summary>Interactions whose customer participant's <c>externalContactId</c> equals <paramref name="sessionId"/>.</summary>
    public IReadOnlyList<CreatedInteraction> InteractionsForSession(string sessionId)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return _bySession.TryGetValue(sessionId, out var queue) ? queue.ToArray() : [];
    }

    /// <summary>
    /// The next <paramref name="count"/> requests to <paramref name="endpoint"/> get <paramref name="status"/>
    /// with body <c>{"error":..,"message":..}</c>. Replaces any pending FailNext on that endpoint; count 0 cancels it.
    /// </summary>
    public void FailNext(SandboxEndpoint endpoint, int count, int status, string? message = null, TimeSpan? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 599);
        Faults(endpoint).SetFailure(count == 0 ? null : new FailurePlan(count, status, message, retryAfter));
    }

    /// <summary>Delay added before answering every request to the endpoint; <see cref="TimeSpan.Zero"/> removes it.</summary>
    public void SetLatency(SandboxEndpoint endpoint, TimeSpan latency) => Faults(endpoint).SetLatency(latency);

    /// <summary>The next <paramref name="count"/> requests are never answered (until the client aborts or the host stops).</summary>
    public void HangNext(SandboxEndpoint endpoint, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Faults(endpoint).SetHang(count);
    }

    /// <summary>Every token issued so far answers 401 "revoked"; tokens issued later are unaffected.</summary>
    public void RevokeAllTokens() => Tokens.InvalidateAll(TokenStatus.Revoked);

    /// <summary>Every token issued so far answers 401 "expired"; tokens issued later are unaffected.</summary>
    public void ExpireAllTokens() => Tokens.InvalidateAll(TokenStatus.Expired);

    /// <summary>
    /// Clears counters, faults, recorded interactions, idempotency keys and queue lookups.
    /// Issued tokens stay as they are, so a client's cached token keeps working across a reset.
    /// </summary>
    public void Reset()
    {
        foreach (var faults in _faults)
        {
            faults.Clear();
        }

        for (int i = 0; i < _requestCounts.Length; i++)
        {
            Interlocked.Exchange(ref _requestCounts[i], 0);
        }

        Interlocked.Exchange(ref _tokensIssued, 0);
        Interlocked.Exchange(ref _interactionsCreated, 0);
        _interactions.Clear();
        _bySession.Clear();
        _byIdempotencyKey.Clear();
        _queueLookups.Clear();
    }

    internal void ClearFaults(SandboxEndpoint endpoint) => Faults(endpoint).Clear();

    internal void SetExpectedAudience(string audience) => _expectedAudience = audience;

    internal EndpointFaults Faults(SandboxEndpoint endpoint) => _faults[Index(endpoint)];

    internal void CountRequest(SandboxEndpoint endpoint) => Interlocked.Increment(ref _requestCounts[Index(endpoint)]);

    internal string IssueToken()
    {
        string token = Tokens.Issue(TokenLifetime);
        Interlocked.Increment(ref _tokensIssued);
        return token;
    }

    internal void RecordQueueLookup(string name) => _queueLookups.Enqueue(name);

    internal bool TryGetByIdempotencyKey(string key, out CreatedInteraction? existing) =>
        _byIdempotencyKey.TryGetValue(key, out existing);

    /// <summary>Records <paramref name="candidate"/> unless a concurrent request with the same key won the race.</summary>
    internal (CreatedInteraction Interaction, bool Created) Record(CreatedInteraction candidate)
    {
        if (candidate.IdempotencyKey is { } key)
        {
            CreatedInteraction winner = _byIdempotencyKey.GetOrAdd(key, candidate);
            if (!ReferenceEquals(winner, candidate))
            {
                return (winner, false);
            }
        }

        _interactions.Enqueue(candidate);
        _bySession.GetOrAdd(candidate.SessionId, static _ => new ConcurrentQueue<CreatedInteraction>()).Enqueue(candidate);
        Interlocked.Increment(ref _interactionsCreated);
        return (candidate, true);
    }

    internal IReadOnlyDictionary<string, int> SessionCounts()
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pair in _bySession)
        {
            counts[pair.Key] = pair.Value.Count;
        }

        return counts;
    }

    private static int Index(SandboxEndpoint endpoint)
    {
        int index = (int)endpoint;
        if ((uint)index >= (uint)s_endpoints.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, "Unknown sandbox endpoint.");
        }

        return index;
    }
}
