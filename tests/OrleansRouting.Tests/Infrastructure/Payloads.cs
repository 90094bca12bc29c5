namespace OrleansRouting.Tests.Infrastructure;

/// <summary>Cognigy-style webhook bodies, shaped like the seed's.</summary>
public static class Payloads
{
    public static string NewSessionId() => $"session-{Guid.NewGuid():N}";

    public static Dictionary<string, object?> Escalation(string? sessionId = null, string intent = "billing_issue", double confidence = 0.92) => new()
    {
        ["sessionId"] = sessionId ?? NewSessionId(),
        ["user"] = new Dictionary<string, object?> { ["name"] = "Ada Lovelace", ["email"] = "ada@example.com" },
        ["input"] = "I was charged twice this month",
        ["intents"] = new object[]
        {
            new Dictionary<string, object?> { ["intent"] = "general_feedback", ["confidence"] = 0.31 },
            new Dictionary<string, object?> { ["intent"] = intent, ["confidence"] = confidence },
        },
        ["metadata"] = new Dictionary<string, object?> { ["channel"] = "webchat" },
    };
}
