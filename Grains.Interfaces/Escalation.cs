namespace OrleansRouting;

/// <summary>A validated Cognigy escalation, as the WebFront hands it to the session grain.</summary>
[GenerateSerializer, Immutable, Alias("OrleansRouting.Escalation")]
public sealed record Escalation(
    [property: Id(0)] string SessionId,
    [property: Id(1)] Customer Customer,
    [property: Id(2)] string Input,
    [property: Id(3)] IReadOnlyList<IntentScore> Intents);

[GenerateSerializer, Immutable, Alias("OrleansRouting.Customer")]
public sealed record Customer(
    [property: Id(0)] string Name,
    [property: Id(1)] string Email);

[GenerateSerializer, Immutable, Alias("OrleansRouting.IntentScore")]
public sealed record IntentScore(
    [property: Id(0)] string Intent,
    [property: Id(1)] double Confidence);
