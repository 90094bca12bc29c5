using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace OrleansRouting.WebFront.Security;

/// <summary>
/// A token bucket per API key: each key may send <see cref="PermitsPerSecond"/> webhooks a second on average and
/// <see cref="Burst"/> at once; up to <see cref="QueueLimit"/> more wait (at most about a second) for the next refill
/// instead of failing. Each key has its own bucket, so one noisy Cognigy project cannot use up another's share.
/// </summary>
public sealed class WebhookRateLimitOptions
{
    public const string Section = "Webhook:RateLimit";

    public int PermitsPerSecond { get; set; } = 200;
    public int Burst { get; set; } = 400;
    public int QueueLimit { get; set; } = 100;
}

public sealed class WebhookRateLimitOptionsValidator : IValidateOptions<WebhookRateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookRateLimitOptions options)
    {
        var failures = new List<string>();
        if (options.PermitsPerSecond < 1)
        {
            failures.Add($"{WebhookRateLimitOptions.Section}:PermitsPerSecond must be at least 1.");
        }

        if (options.Burst < options.PermitsPerSecond)
        {
            failures.Add($"{WebhookRateLimitOptions.Section}:Burst must be at least PermitsPerSecond ({options.PermitsPerSecond}).");
        }

        if (options.QueueLimit < 0)
        {
            failures.Add($"{WebhookRateLimitOptions.Section}:QueueLimit must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// Partitions by the authenticated key's id (<c>key-0</c>, <c>key-1</c>: never the key). It runs after authorization,
/// so a request without a valid key is refused with 401 before it can spend anyone's permits.
/// </summary>
internal sealed partial class WebhookRateLimitPolicy(IOptions<WebhookRateLimitOptions> options, ILogger<WebhookRateLimitPolicy> logger)
    : IRateLimiterPolicy<string>
{
    public const string Name = "webhook-per-api-key";
    private const string Unidentified = "unidentified";

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => RejectAsync;

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        var settings = options.Value;
        return RateLimitPartition.GetTokenBucketLimiter(KeyId(httpContext), _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.Burst,
            TokensPerPeriod = settings.PermitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = settings.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    private async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);

        // Debug, not Warning: under a flood one line per refused request would be a second flood, into the logs.
        // Operators watch the aspnetcore.rate_limiting.requests metric (result = endpoint_limiter) instead.
        var keyId = KeyId(http);
        LogThrottled(logger, keyId, seconds);
        var settings = options.Value;
        await TypedResults.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many requests",
            detail: $"This API key may send {settings.PermitsPerSecond} webhooks per second (bursts of {settings.Burst}); retry after {seconds} s.",
            extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds })
            .ExecuteAsync(http);
    }

    private static string KeyId(HttpContext context) =>
        context.User.FindFirstValue(ApiKeyAuthenticationHandler.KeyIdClaim) ?? Unidentified;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rate limit reached for API key {ApiKeyId}; asked to retry after {RetryAfterSeconds} s")]
    private static partial void LogThrottled(ILogger logger, string apiKeyId, int retryAfterSeconds);
}

internal static class WebhookRateLimitingExtensions
{
    public static WebApplicationBuilder AddWebhookRateLimiting(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookRateLimitOptions>().Bind(builder.Configuration.GetSection(WebhookRateLimitOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<WebhookRateLimitOptions>, WebhookRateLimitOptionsValidator>();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy<string, WebhookRateLimitPolicy>(WebhookRateLimitPolicy.Name);
        });
        return builder;
    }

    /// <summary>Limits the webhook per API key; see <see cref="WebhookRateLimitOptions"/>.</summary>
    public static TBuilder RequireWebhookRateLimit<TBuilder>(this TBuilder endpoints)
        where TBuilder : IEndpointConventionBuilder =>
        endpoints.RequireRateLimiting(WebhookRateLimitPolicy.Name);
}
