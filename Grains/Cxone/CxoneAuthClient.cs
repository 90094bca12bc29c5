using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansRouting.Grains.Cxone;

/// <summary>OAuth client-credentials against <c>{BaseUrl}/oauth/token</c>, with the seed's form fields.</summary>
public sealed partial class CxoneAuthClient(HttpClient http, IOptions<CxoneOptions> options, TimeProvider time, ILogger<CxoneAuthClient> logger)
{
    private const string Operation = "the token request";

    public async Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, "oauth/token")
        {
            Content = new FormUrlEncodedContent(
            [
                new("grant_type", "client_credentials"),
                new("client_id", settings.ClientId),
                new("client_secret", settings.ClientSecret),
                new("audience", settings.EffectiveAudience),
            ]),
        };

        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (!CxoneFailures.IsSuccess(response.StatusCode))
            {
                throw await CxoneFailures.FromResponseAsync(response, Operation, cancellationToken, settings.ClientSecret);
            }

            var issuedAt = time.GetUtcNow();
            var body = await response.Content.ReadFromJsonAsync(CxoneJsonContext.Default.TokenResponse, cancellationToken);
            if (string.IsNullOrEmpty(body?.AccessToken))
            {
                throw new CxoneException(CxoneFailureKind.Rejected, "CXone's token response had no access_token", (int)response.StatusCode);
            }

            var lifetime = body.ExpiresIn is > 0 ? TimeSpan.FromSeconds(body.ExpiresIn.Value) : DefaultLifetime();
            LogTokenIssued(logger, lifetime.TotalSeconds);
            return new AccessToken(body.AccessToken, issuedAt, issuedAt + lifetime);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            throw new CxoneException(CxoneFailureKind.Rejected, "CXone's token response was not the expected JSON");
        }
        catch (Exception ex) when (ex is not CxoneException && CxoneFailures.FromException(ex, Operation, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    private TimeSpan DefaultLifetime()
    {
        // CXone documents expires_in; if a tenant's proxy strips it, be conservative rather than trust an hour.
        LogNoExpiresIn(logger);
        return TimeSpan.FromMinutes(5);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "CXone issued a token valid for {LifetimeSeconds} s")]
    private static partial void LogTokenIssued(ILogger logger, double lifetimeSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CXone's token response had no expires_in; treating the token as valid for 5 minutes")]
    private static partial void LogNoExpiresIn(ILogger logger);
}

internal sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("expires_in")] int? ExpiresIn);
