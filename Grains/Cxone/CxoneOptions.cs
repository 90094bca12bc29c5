using Microsoft.Extensions.Options;

namespace OrleansRouting.Grains.Cxone;

/// <summary>How to reach CXone. Bound from the <c>Cxone</c> configuration section.</summary>
public sealed class CxoneOptions
{
    public const string Section = "Cxone";

    /// <summary>Scheme and host of the regional API, e.g. https://api-eu.niceincontact.com.</summary>
    public Uri BaseUrl { get; set; } = new("https://api-us.niceincontact.com");

    public string ClientId { get; set; } = "";

    /// <summary>From configuration or a secret store only; never logged.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>OAuth audience; defaults to <c>{BaseUrl}/</c> as the seed sends it.</summary>
    public string? Audience { get; set; }

    /// <summary>Limit for one HTTP attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Limit for one CXone operation including its retries; keep it below Cognigy's webhook timeout (8 s).</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(6);

    public int MaxRetries { get; set; } = 2;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A <c>Retry-After</c> longer than this is not waited for in-request: the caller is told to come back.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(2);

    public string EffectiveAudience => Audience ?? $"{BaseUrl.GetLeftPart(UriPartial.Authority)}/";
}

public sealed class CxoneOptionsValidator : IValidateOptions<CxoneOptions>
{
    public ValidateOptionsResult Validate(string? name, CxoneOptions options)
    {
        var failures = new List<string>();
        if (!options.BaseUrl.IsAbsoluteUri || (options.BaseUrl.Scheme != Uri.UriSchemeHttps && options.BaseUrl.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add("Cxone:BaseUrl must be an absolute http(s) URL such as https://api-us.niceincontact.com.");
        }
        else if (options.BaseUrl.AbsolutePath != "/")
        {
            failures.Add("Cxone:BaseUrl must be scheme and host only (no path), e.g. https://api-us.niceincontact.com.");
        }

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            failures.Add("Cxone:ClientId is required (environment variable Cxone__ClientId).");
        }

        if (string.IsNullOrWhiteSpace(options.ClientSecret))
        {
            failures.Add("Cxone:ClientSecret is required (environment variable Cxone__ClientSecret or a secret store).");
        }

        if (options.AttemptTimeout <= TimeSpan.Zero || options.TotalTimeout < options.AttemptTimeout)
        {
            failures.Add("Cxone:AttemptTimeout must be positive and no longer than Cxone:TotalTimeout.");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            failures.Add("Cxone:MaxRetries must be between 0 and 10.");
        }

        if (options.RetryBaseDelay < TimeSpan.Zero || options.MaxRetryAfter < TimeSpan.Zero)
        {
            failures.Add("Cxone:RetryBaseDelay and Cxone:MaxRetryAfter must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
