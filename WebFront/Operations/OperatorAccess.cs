using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using OrleansRouting.WebFront.Security;

namespace OrleansRouting.WebFront.Operations;

/// <summary>
/// Who may use the Orleans Dashboard and the session inspection API: a caller with a webhook API key (scripts), or an
/// operator's browser with HTTP Basic credentials from <c>Operators:Username</c>/<c>Operators:Password</c>. Without a
/// configured password only API-key callers get in: nothing operational is open by default.
/// </summary>
public sealed class OperatorOptions
{
    public const string Section = "Operators";
    public const int MinimumPasswordLength = 12;

    public string Username { get; set; } = "operator";

    /// <summary>From the environment or a secret store; never logged.</summary>
    public string? Password { get; set; }
}

public sealed class OperatorOptionsValidator : IValidateOptions<OperatorOptions>
{
    public ValidateOptionsResult Validate(string? name, OperatorOptions options) =>
        options.Password is { } password && password.Length < OperatorOptions.MinimumPasswordLength
            ? ValidateOptionsResult.Fail($"Operators:Password must be at least {OperatorOptions.MinimumPasswordLength} characters (or unset to disable browser access).")
            : string.IsNullOrWhiteSpace(options.Username)
                ? ValidateOptionsResult.Fail("Operators:Username must not be empty.")
                : ValidateOptionsResult.Success;
}

public sealed class OperatorBasicAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOptions<OperatorOptions> operators)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header)
            || !header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)
            || operators.Value.Password is not { } password)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        string presented;
        try
        {
            presented = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter ?? ""));
        }
        catch (FormatException)
        {
            return Task.FromResult(AuthenticateResult.Fail("Malformed Basic credentials"));
        }

        // Compared as digests in constant time, so neither content nor length leaks through timing.
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes($"{operators.Value.Username}:{password}"));
        var actual = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        if (!CryptographicOperations.FixedTimeEquals(expected, actual))
        {
            return Task.FromResult(AuthenticateResult.Fail("Invalid operator credentials"));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, operators.Value.Username)], OperatorAccess.BasicScheme);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), OperatorAccess.BasicScheme)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // Only the header: the API-key scheme, challenged after this one, writes the problem body.
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append("WWW-Authenticate", "Basic realm=\"OrleansRouting operators\", charset=\"UTF-8\"");
        return Task.CompletedTask;
    }
}

public static class OperatorAccess
{
    public const string Policy = "operator";
    public const string BasicScheme = "OperatorBasic";

    public static WebApplicationBuilder AddOperatorAccess(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<OperatorOptions>().Bind(builder.Configuration.GetSection(OperatorOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OperatorOptions>, OperatorOptionsValidator>();
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, OperatorBasicAuthenticationHandler>(BasicScheme, null);
        var operatorPolicy = new AuthorizationPolicyBuilder(BasicScheme, ApiKeyAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser()
            .Build();

        // Deny by default: whatever is mapped without a policy of its own (the dashboard's extra routes, unknown paths)
        // needs a key or operator credentials; only the health probes opt out with AllowAnonymous.
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policy, operatorPolicy)
            .SetFallbackPolicy(operatorPolicy);
        return builder;
    }
}
