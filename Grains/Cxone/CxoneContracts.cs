using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansRouting.Grains.Cxone;

/// <summary>The seed's interaction payload, field for field.</summary>
public sealed record InteractionRequest(
    string Type,
    string InitiationDirection,
    InteractionRoutingData RoutingData,
    IReadOnlyList<InteractionParticipant> Participants,
    IReadOnlyDictionary<string, string> CustomData);

public sealed record InteractionRoutingData(string QueueId, int Priority, IReadOnlyList<string> SkillRequirements);

public sealed record InteractionParticipant(
    string Role,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ExternalContactId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ContactDetails? ContactDetails = null);

public sealed record ContactDetails(string Email, string Name);

internal sealed record QueuePage(IReadOnlyList<QueueSummary>? Entities);

internal sealed record QueueSummary(string? Id, string? Name);

internal sealed record InteractionCreated(string? Id);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(InteractionRequest))]
[JsonSerializable(typeof(QueuePage))]
[JsonSerializable(typeof(InteractionCreated))]
[JsonSerializable(typeof(TokenResponse))]
internal sealed partial class CxoneJsonContext : JsonSerializerContext;
