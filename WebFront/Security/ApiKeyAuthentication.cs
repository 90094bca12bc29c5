using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace OrleansRouting.WebFront.Security;

/// <summary>Shared secrets Cognigy sends in <c>X-Api-Key</c>. Several may be valid at once, so keys can be rotated.</summary>
public sealed class ApiKeyOptions
{
    public const string Section = "Webhook";
    public const int MinimumKeyLength = 16;

    public List<string> ApiKeys { get; set; } = [];
}

public sealed class ApiKeyOptionsValidator : IValidateOptions<ApiKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        if (options.ApiKeys.Count == 0)
        {
            return ValidateOptionsResult.Fail("Webhook:ApiKeys needs at least one key (environment variable Webhook__ApiKeys__0).");
        }

        // Report positions only: the keys themselves must not reach a log.
        var weak = options.ApiKeys
            .Select((key, index) => (key, index))
            .Where(k => string.IsNullOrWhiteSpace(k.key) || k.key.Length < ApiKeyOptions.MinimumKeyLength)
            .Select(k => $"Webhook:ApiKeys:{k.index} must be at least {ApiKeyOptions.MinimumKeyLength} characters.")
            .ToList();
        return weak.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(weak);
    }
}

/// <summary>
/// Holds only SHA-256 digests of the configured keys and compares digests in constant time, so neither the
/// position of the first differing byte nor the key's length leaks through response timing.
/// </summary>
public sealed class ApiKeyVerifier
{
    private readonly byte[][] _digests;

    public ApiKeyVerifier(IOptions<ApiKeyOptions> options) =>
        _digests = [.. options.Value.ApiKeys.Select(key => SHA256.HashData(Encoding.UTF8.GetBytes(key)))];

    /// <summary>The index of the matching key (which key a caller used, never the key), or -1.</summary>
    public int Match(string presented)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), digest);
        var match = -1;
        for (var i = 0; i < _digests.Length; i++)
        {
            // No early exit: every key is compared on every request.
            if (CryptographicOperations.FixedTimeEquals(digest, _digests[i]))
            {
                match = i;
            }
        }

        return match;
    }
}

public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyVerifier verifier)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string KeyIdClaim = "api_key_id";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values) || values.Count == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var index = values.Count == 1 && values[0] is { Length: > 0 } presented ? verifier.Match(presented) : -1;
        if (index < 0)
        {
            return Task.FromResult(AuthenticateResult.Fail("Invalid API key"));
        }

        var identity = new ClaimsIdentity([new Claim(KeyIdClaim, $"key-{index}")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        // Appended: on operator endpoints the Basic scheme has already offered itself to browsers.
        Response.Headers.Append("WWW-Authenticate", $"{SchemeName} header=\"{HeaderName}\"");
        await Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Unauthorized",
            detail: failure is null ? $"Send the webhook's API key in the {HeaderName} header." : $"The {HeaderName} header does not hold a valid API key.")
            .ExecuteAsync(Context);
    }
}

internal static class ApiKeyAuthenticationExtensions
{
    public static WebApplicationBuilder AddApiKeyAuthentication(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiKeyOptions>().Bind(builder.Configuration.GetSection(ApiKeyOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ApiKeyOptions>, ApiKeyOptionsValidator>();
        builder.Services.AddSingleton<ApiKeyVerifier>();
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorization();
        return builder;
    }
}
