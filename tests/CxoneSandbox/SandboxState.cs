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
    private readonly int[] _injectedFailures = new int[s_endpoints.Length];
    private readonly int[] _hungRequests = new int[s_endpoints.Length];
    private readonly EndpointFaults[] _faults;
    private readonly ConcurrentQueue<CreatedInteraction> _interactions = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<CreatedInteraction>> _bySession = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CreatedInteraction> _byIdempotencyKey = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _queueLookups = new();
    private readonly TimeProvider _time;
    private int _tokensIssued;
    private int _interactionsCreated;
    private int _droppedResponses;
    private int _idempotentReplays;
    private volatile string? _expectedAudience;

    internal SandboxState(SandboxOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.TokenLifetimeSeconds);
        _time = time;
        _faults = [.. s_endpoints.Select(_ => new EndpointFaults(time))];
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

    /// <summary>Successful requests whose connection was aborted instead of answered (<see cref="DropResponseNext"/>, <see cref="SetDropResponseRate"/>).</summary>
    public int DroppedResponses => Volatile.Read(ref _droppedResponses);

    /// <summary>Interaction creates answered 200 with the interaction an earlier request with the same Idempotency-Key created.</summary>
    public int IdempotentReplays => Volatile.Read(ref _idempotentReplays);

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

    /// <summary>Requests to the endpoint answered with an injected error (FailNext, FailFor or the error rate).</summary>
    public int InjectedFailures(SandboxEndpoint endpoint) => Volatile.Read(ref _injectedFailures[Index(endpoint)]);

    /// <summary>Requests to the endpoint that were hung (HangNext, HangFor or the hang rate) and so never answered.</summary>
    public int HungRequests(SandboxEndpoint endpoint) => Volatile.Read(ref _hungRequests[Index(endpoint)]);

    /// <summary>Snapshot: session id (customer <c>externalContactId</c>) to the number of interactions created for it.</summary>
    public IReadOnlyDictionary<string, int> InteractionCountsBySession()
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pair in _bySession)
        {
            counts[pair.Key] = pair.Value.Count;
        }

        return counts;
    }

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
        ValidateStatus(status);
        Faults(endpoint).SetFailure(count == 0 ? null : new FailurePlan(count, new InjectedError(status, message, retryAfter)));
    }

    /// <summary>
    /// Each request to <paramref name="endpoint"/> independently fails with probability <paramref name="rate"/>
    /// (0 to 1; 0 clears), answered like <see cref="FailNext"/>. Replaces any previous error rate on that endpoint.
    /// </summary>
    public void SetErrorRate(SandboxEndpoint endpoint, double rate, int status, TimeSpan? retryAfter = null, string? message = null)
    {
        ValidateRate(rate);
        ValidateStatus(status);
        Faults(endpoint).SetErrorRate(rate, new InjectedError(status, message, retryAfter));
    }

    /// <summary>
    /// Every request to <paramref name="endpoint"/> during the next <paramref name="duration"/> (measured on the sandbox's
    /// <see cref="TimeProvider"/> from this call) fails, answered like <see cref="FailNext"/>. Zero cancels; a new call replaces the window.
    /// </summary>
    public void FailFor(SandboxEndpoint endpoint, TimeSpan duration, int status, TimeSpan? retryAfter = null, string? message = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        ValidateStatus(status);
        Faults(endpoint).SetFailWindow(duration, new InjectedError(status, message, retryAfter));
    }

    /// <summary>Delay added before answering every request to the endpoint; <see cref="TimeSpan.Zero"/> removes it.</summary>
    public void SetLatency(SandboxEndpoint endpoint, TimeSpan latency) => Faults(endpoint).SetLatency(latency);

    /// <summary>The next <paramref name="count"/> requests are never answered (until the client aborts or the host stops).</summary>
    public void HangNext(SandboxEndpoint endpoint, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Faults(endpoint).SetHang(count);
    }

    /// <summary>Every request to the endpoint during the next <paramref name="duration"/> hangs like <see cref="HangNext"/>; zero cancels.</summary>
    public void HangFor(SandboxEndpoint endpoint, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        Faults(endpoint).SetHangWindow(duration);
    }

    /// <summary>Each request to the endpoint independently hangs like <see cref="HangNext"/> with probability <paramref name="rate"/> (0 clears).</summary>
    public void SetHangRate(SandboxEndpoint endpoint, double rate)
    {
        ValidateRate(rate);
        Faults(endpoint).SetHangRate(rate);
    }

    /// <summary>
    /// The next <paramref name="count"/> requests that succeed are fully processed (token issued, lookup recorded, or
    /// interaction created with its Idempotency-Key stored) but the connection is aborted instead of answered, so the
    /// client sees a transport error. On interactions only new creates (201) are dropped; idempotent replays are answered.
    /// Replaces any pending count; 0 cancels.
    /// </summary>
    public void DropResponseNext(SandboxEndpoint endpoint, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Faults(endpoint).SetDrop(count);
    }

    /// <summary>Like <see cref="DropResponseNext"/>, but each successful request is dropped with probability <paramref name="rate"/> (0 clears).</summary>
    public void SetDropResponseRate(SandboxEndpoint endpoint, double rate)
    {
        ValidateRate(rate);
        Faults(endpoint).SetDropRate(rate);
    }

    /// <summary>Removes every fault (failures, error rates, windows, latency, hangs, drops) from every endpoint; counters stay.</summary>
    public void ClearFaults()
    {
        foreach (var faults in _faults)
        {
            faults.Clear();
        }
    }

    /// <summary>Removes every fault from one endpoint; counters stay.</summary>
    public void ClearFaults(SandboxEndpoint endpoint) => Faults(endpoint).Clear();

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
        ClearFaults();
        for (int i = 0; i < _requestCounts.Length; i++)
        {
            Interlocked.Exchange(ref _requestCounts[i], 0);
            Interlocked.Exchange(ref _injectedFailures[i], 0);
            Interlocked.Exchange(ref _hungRequests[i], 0);
        }

        Interlocked.Exchange(ref _tokensIssued, 0);
        Interlocked.Exchange(ref _interactionsCreated, 0);
        Interlocked.Exchange(ref _droppedResponses, 0);
        Interlocked.Exchange(ref _idempotentReplays, 0);
        _interactions.Clear();
        _bySession.Clear();
        _byIdempotencyKey.Clear();
        _queueLookups.Clear();
    }

    internal void SetExpectedAudience(string audience) => _expectedAudience = audience;

    internal EndpointFaults Faults(SandboxEndpoint endpoint) => _faults[Index(endpoint)];

    internal void CountRequest(SandboxEndpoint endpoint) => Interlocked.Increment(ref _requestCounts[Index(endpoint)]);

    internal void CountInjectedFailure(SandboxEndpoint endpoint) => Interlocked.Increment(ref _injectedFailures[Index(endpoint)]);

    internal void CountHung(SandboxEndpoint endpoint) => Interlocked.Increment(ref _hungRequests[Index(endpoint)]);

    internal void CountDroppedResponse() => Interlocked.Increment(ref _droppedResponses);

    internal void CountIdempotentReplay() => Interlocked.Increment(ref _idempotentReplays);

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

    private static void ValidateStatus(int status)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 599);
    }

    private static void ValidateRate(double rate, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(rate))] string? paramName = null)
    {
        // Written so NaN fails too.
        if (!(rate >= 0 && rate <= 1))
        {
            throw new ArgumentOutOfRangeException(paramName, rate, "Rate must be a probability from 0 to 1.");
        }
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
