using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using OrleansRouting.Grains.Cxone;

namespace OrleansRouting.Grains;

/// <summary>
/// The cluster's one CXone token. Reentrant so that callers are answered from memory while a refresh runs;
/// every refresh is shared, so the cluster asks CXone for a token once per lifetime, not once per caller.
/// </summary>
[Reentrant]
public sealed partial class TokenGrain(CxoneAuthClient auth, TimeProvider time, ILogger<TokenGrain> logger) : Grain, ITokenGrain
{
    private readonly SharedFetch<int, AccessToken> _token = new();

    public Task<AccessToken> GetToken()
    {
        var now = time.GetUtcNow();
        if (_token.TryGet(0, out var token) && now < token.UsableUntil)
        {
            if (now >= token.RefreshAt)
            {
                _ = RefreshAheadAsync();
            }

            return Task.FromResult(token);
        }

        return Fetch();
    }

    public Task<AccessToken> Renew(string rejectedToken)
    {
        if (_token.TryGet(0, out var token) && token.Value != rejectedToken && time.GetUtcNow() < token.UsableUntil)
        {
            // Someone else's 401 already replaced it.
            return Task.FromResult(token);
        }

        if (token is not null)
        {
            LogTokenRejected(logger);
            _token.Remove(0, token);
        }

        return Fetch();
    }

    private Task<AccessToken> Fetch() => _token.Fetch(0, _ => auth.RequestTokenAsync());

    private async Task RefreshAheadAsync()
    {
        try
        {
            await Fetch();
        }
        catch (Exception ex)
        {
            // Nobody awaits this refresh; the current token is still usable and the next fetch will try again.
            LogRefreshAheadFailed(logger, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "CXone rejected the current token (401); fetching a new one")]
    private static partial void LogTokenRejected(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing the CXone token ahead of expiry failed; the current one is still usable: {Reason}")]
    private static partial void LogRefreshAheadFailed(ILogger logger, string reason);
}
