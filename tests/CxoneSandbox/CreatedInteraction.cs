using System.Text.Json;

namespace CxoneSandbox;

/// <summary>An interaction the sandbox accepted; <see cref="Payload"/> is the full request body as sent.</summary>
public sealed record CreatedInteraction(
    string Id,
    string SessionId,
    string QueueId,
    int Priority,
    string? IdempotencyKey,
    string CustomerName,
    string CustomerEmail,
    JsonElement Payload,
    DateTimeOffset CreatedAt);
