using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace OrleansRouting.Grains.Cxone;

/// <summary>
/// The Polly pipeline every CXone call goes through: total timeout, retries with jitter that honour
/// Retry-After, a circuit breaker, and a per-attempt timeout. Requests marked <see cref="NotIdempotent"/>
/// (the interaction POST) are retried only when CXone cannot have acted on them.
/// </summary>
internal static class CxoneResilience
{
    public static readonly HttpRequestOptionsKey<bool> NotIdempotent = new("OrleansRouting.NotIdempotent");

    public static IHttpClientBuilder AddCxoneResilience(this IHttpClientBuilder builder)
    {
        builder.AddResilienceHandler("cxone", static (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<CxoneOptions>>().Value;
            pipeline
                .AddTimeout(options.TotalTimeout)
                .AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = Math.Max(options.MaxRetries, 1),
                    Delay = options.RetryBaseDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    ShouldRetryAfterHeader = true,
                    ShouldHandle = args => ValueTask.FromResult(options.MaxRetries > 0 && ShouldRetry(args.Outcome, args.Context, options)),
                })
                .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    FailureRatio = 0.5,
                    MinimumThroughput = 20,
                    SamplingDuration = TimeSpan.FromSeconds(30),
                    BreakDuration = TimeSpan.FromSeconds(5),
                })
                .AddTimeout(options.AttemptTimeout);
        });
        return builder;
    }

    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context, CxoneOptions options)
    {
        var notIdempotent = context.GetRequestMessage()?.Options.TryGetValue(NotIdempotent, out var flag) == true && flag;
        if (outcome.Exception is { } exception)
        {
            return exception switch
            {
                // The connection was never made: CXone cannot have seen the request.
                HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } => true,
                HttpRequestException or TimeoutRejectedException => !notIdempotent,
                _ => false,
            };
        }

        var response = outcome.Result!;
        var status = response.StatusCode;
        var transient = status == HttpStatusCode.TooManyRequests
            || (!notIdempotent && (status == HttpStatusCode.RequestTimeout || (int)status >= 500));
        return transient && !(CxoneFailures.RetryAfter(response) > options.MaxRetryAfter);
    }
}
