using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace CxoneSandbox;

internal enum TokenStatus
{
    Valid = 0,
    Missing = 1,
    Unknown = 2,
    Expired = 3,
    Revoked = 4,
}

/// <summary>Opaque bearer tokens with expiry; validation is one dictionary probe on a span (no substring).</summary>
internal sealed class TokenStore
{
    // Clients normally cache tokens, but a benchmark hammering /oauth/token must not grow the store without bound.
    private const int PruneEvery = 4096;
    private static readonly TimeSpan s_pruneGrace = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IssuedToken>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly TimeProvider _time;
    private int _issuedSincePrune;

    public TokenStore(TimeProvider time)
    {
        _time = time;
        _lookup = _tokens.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string Issue(TimeSpan lifetime)
    {
        Span<byte> entropy = stackalloc byte[32];
        RandomNumberGenerator.Fill(entropy);
        string token = Base64Url.EncodeToString(entropy);
        DateTimeOffset now = _time.GetUtcNow();
        _tokens[token] = new IssuedToken(now + lifetime);

        if (Interlocked.Increment(ref _issuedSincePrune) >= PruneEvery)
        {
            Interlocked.Exchange(ref _issuedSincePrune, 0);
            Prune(now);
        }

        return token;
    }

    public TokenStatus Validate(ReadOnlySpan<char> token)
    {
        if (!_lookup.TryGetValue(token, out IssuedToken? issued))
        {
            return TokenStatus.Unknown;
        }

        TokenStatus status = issued.Status;
        if (status != TokenStatus.Valid)
        {
            return status;
        }

        return _time.GetUtcNow() >= issued.ExpiresAt ? TokenStatus.Expired : TokenStatus.Valid;
    }

    public void InvalidateAll(TokenStatus reason)
    {
        foreach (KeyValuePair<string, IssuedToken> pair in _tokens)
        {
            pair.Value.Invalidate(reason);
        }
    }

    private void Prune(DateTimeOffset now)
    {
        // Keep recently expired tokens so clients still get "expired" rather than "unknown".
        DateTimeOffset cutoff = now - s_pruneGrace;
        foreach (KeyValuePair<string, IssuedToken> pair in _tokens)
        {
            if (pair.Value.ExpiresAt < cutoff)
            {
                _tokens.TryRemove(pair);
            }
        }
    }

    private sealed class IssuedToken(DateTimeOffset expiresAt)
    {
        private int _status;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public TokenStatus Status => (TokenStatus)Volatile.Read(ref _status);

        // First invalidation wins so a later Expire does not relabel an already revoked token.
        public void Invalidate(TokenStatus reason) =>
            Interlocked.CompareExchange(ref _status, (int)reason, (int)TokenStatus.Valid);
    }
}
