using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CxoneSandbox;

/// <summary>OAuth-style error (RFC 6749 §5.2) used by the token endpoint.</summary>
internal sealed record OAuthError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string? ErrorDescription);

/// <summary>Error shape of the CXone API endpoints and of injected faults.</summary>
internal sealed record ErrorBody(string Error, string? Message);

internal sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("scope")] string Scope);

internal sealed record QueueEntity(string Id, string Name);

internal sealed record QueuePage(int TotalRecords, IReadOnlyList<QueueEntity> Entities);

internal sealed record InteractionCreatedResponse(string Id, string Status, string QueueId);

internal sealed record StatsResponse(
    RequestCounts Requests,
    int TokensIssued,
    int InteractionsCreated,
    int QueueLookups,
    int DroppedResponses,
    int IdempotentReplays,
    RequestCounts InjectedFailures,
    RequestCounts HungRequests,
    IReadOnlyDictionary<string, int> InteractionsPerSession,
    IReadOnlyList<InteractionSummary>? Interactions);

/// <summary>One number per emulated endpoint (request counts, injected failures, hung requests).</summary>
internal sealed record RequestCounts(int Token, int Queues, int Interactions);

internal sealed record InteractionSummary(string Id, string SessionId, string QueueId, int Priority, DateTimeOffset CreatedAt);

internal sealed record FaultRequest(
    string? Endpoint,
    string? Action,
    int? Count,
    int? Status,
    string? Message,
    int? RetryAfterSeconds,
    int? LatencyMs,
    double? Rate,
    int? DurationMs);

internal sealed record FaultApplied(string Applied, string? Endpoint);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OAuthError))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(QueuePage))]
[JsonSerializable(typeof(InteractionCreatedResponse))]
[JsonSerializable(typeof(StatsResponse))]
[JsonSerializable(typeof(FaultRequest))]
[JsonSerializable(typeof(FaultApplied))]
internal sealed partial class SandboxJsonContext : JsonSerializerContext;

internal static class SandboxJson
{
    // Relaxed escaping keeps quotes in messages readable for curl users; the sandbox never renders HTML.
    public static SandboxJsonContext Context { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });
}
