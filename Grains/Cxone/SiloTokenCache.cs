using Microsoft.Extensions.Logging;

namespace OrleansRouting.Grains.Cxone;

/// <summary>
/// Per-silo copy of the cluster's token (the token grain stays the authority). Serves the hot path from memory,
/// asks the token grain in the background once the token enters its refresh window, and waits for it only when
/// the copy is no longer usable.
/// </summary>
public sealed partial class SiloTokenCache(IGrainFactory grains, TimeProvider time, ILogger<SiloTokenCache> logger)
{
    private readonly SharedFetch<int, AccessToken> _token = new();

    private ITokenGrain Authority => grains.GetGrain<ITokenGrain>(0);

    public ValueTask<AccessToken> GetAsync()
    {
        var now = time.GetUtcNow();
        if (_token.TryGet(0, out var token) && now < token.UsableUntil)
        {
            if (now >= token.RefreshAt)
            {
                _ = RefreshInBackgroundAsync();
            }

            return ValueTask.FromResult(token);
        }

        return new ValueTask<AccessToken>(_token.Fetch(0, _ => Authority.GetToken()));
    }

    /// <summary>CXone answered 401 to <paramref name="rejected"/>: get a replacement (shared by all who saw the 401).</summary>
    public async Task<AccessToken> RenewAsync(AccessToken rejected)
    {
        _token.Remove(0, rejected);
        var renewed = await _token.Fetch(0, _ => Authority.Renew(rejected.Value));

        // Joined a background refresh that started before the 401 and may have brought back the rejected token.
        return renewed.Value == rejected.Value ? await Authority.Renew(rejected.Value) : renewed;
    }

    private async Task RefreshInBackgroundAsync()
    {
        try
        {
            await _token.Fetch(0, _ => Authority.GetToken());
        }
        catch (Exception ex)
        {
            // The current token is still usable; the next caller past UsableUntil sees the failure itself.
            LogBackgroundRefreshFailed(logger, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Background CXone token refresh failed: {Reason}")]
    private static partial void LogBackgroundRefreshFailed(ILogger logger, string reason);
}
