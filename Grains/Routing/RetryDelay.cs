namespace OrleansRouting.Grains.Routing;

/// <summary>Backoff for background retries: exponential with full jitter, never shorter than CXone's Retry-After.</summary>
internal static class RetryDelay
{
    public static TimeSpan Next(int attempt, TimeSpan? retryAfter, RoutingOptions options)
    {
        var exponent = Math.Min(attempt - 1, 16);
        var ceiling = Math.Min(options.RetryMaxDelay.TotalMilliseconds, options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, exponent));

        // Full jitter spreads a burst of sessions that failed together (a CXone outage) over the whole window.
        var jittered = TimeSpan.FromMilliseconds((ceiling / 2) + (Random.Shared.NextDouble() * ceiling / 2));
        return retryAfter is { } minimum && minimum > jittered ? minimum : jittered;
    }
}
