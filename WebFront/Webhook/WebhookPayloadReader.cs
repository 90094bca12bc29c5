using System.Text.Json;

namespace OrleansRouting.WebFront.Webhook;

/// <summary>
/// Reads the seed's webhook payload field by field, so every rejection can name the field that caused it
/// (model binding would only say "bad request"). Unknown fields are ignored; <c>metadata</c> is accepted as is.
/// </summary>
internal sealed class WebhookPayloadReader(WebhookLimits limits)
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string[]> Errors => _errors;

    public Escalation? Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            Error("$", "The body must be a JSON object.");
            return null;
        }

        var sessionId = RequiredString(root, "sessionId", limits.MaxSessionIdLength, allowEmpty: false);
        var customer = ReadUser(root);
        var input = RequiredString(root, "input", limits.MaxInputLength, allowEmpty: true);
        var intents = ReadIntents(root);
        return _errors.Count == 0 ? new Escalation(sessionId!, customer!, input!, intents!) : null;
    }

    private Customer? ReadUser(JsonElement root)
    {
        if (!root.TryGetProperty("user", out var user) || user.ValueKind == JsonValueKind.Null)
        {
            Error("user", "The user field is required.");
            return null;
        }

        if (user.ValueKind != JsonValueKind.Object)
        {
            Error("user", "The user field must be an object with name and email.");
            return null;
        }

        // As in the seed, a user without name or email is still routed, under placeholders.
        var name = OptionalString(user, "name", "user.name") ?? "Unknown";
        var email = OptionalString(user, "email", "user.email") ?? "unknown@example.com";
        return new Customer(name, email);
    }

    private List<IntentScore>? ReadIntents(JsonElement root)
    {
        if (!root.TryGetProperty("intents", out var intents) || intents.ValueKind == JsonValueKind.Null)
        {
            Error("intents", "The intents field is required.");
            return null;
        }

        if (intents.ValueKind != JsonValueKind.Array)
        {
            Error("intents", "The intents field must be an array of {intent, confidence}.");
            return null;
        }

        var count = intents.GetArrayLength();
        if (count == 0)
        {
            Error("intents", "No intents detected");
            return null;
        }

        if (count > limits.MaxIntents)
        {
            Error("intents", $"At most {limits.MaxIntents} intents are accepted.");
            return null;
        }

        var result = new List<IntentScore>(count);
        var index = 0;
        foreach (var item in intents.EnumerateArray())
        {
            var path = $"intents[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                Error(path, "Each intent must be an object with intent and confidence.");
                continue;
            }

            var name = RequiredString(item, "intent", limits.MaxIntentLength, allowEmpty: false, path);
            var confidence = ReadConfidence(item, path);
            if (name is not null && confidence is not null)
            {
                result.Add(new IntentScore(name, confidence.Value));
            }
        }

        return result;
    }

    private double? ReadConfidence(JsonElement item, string path)
    {
        var field = $"{path}.confidence";
        if (!item.TryGetProperty("confidence", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            Error(field, "The confidence field is required.");
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var confidence) || !double.IsFinite(confidence))
        {
            Error(field, "The confidence field must be a number.");
            return null;
        }

        if (confidence is < 0 or > 1)
        {
            Error(field, "The confidence field must be between 0 and 1.");
            return null;
        }

        return confidence;
    }

    private string? RequiredString(JsonElement parent, string name, int maxLength, bool allowEmpty, string? parentPath = null)
    {
        var field = parentPath is null ? name : $"{parentPath}.{name}";
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            Error(field, $"The {name} field is required.");
            return null;
        }

        return CheckString(value, field, maxLength, allowEmpty);
    }

    private string? OptionalString(JsonElement parent, string name, string field)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return CheckString(value, field, limits.MaxUserFieldLength, allowEmpty: true) is { Length: > 0 } text ? text : null;
    }

    private string? CheckString(JsonElement value, string field, int maxLength, bool allowEmpty)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            Error(field, $"The {field} field must be a string.");
            return null;
        }

        var text = value.GetString()!;
        if (!allowEmpty && string.IsNullOrWhiteSpace(text))
        {
            Error(field, $"The {field} field must not be empty.");
            return null;
        }

        if (text.Length > maxLength)
        {
            Error(field, $"The {field} field must be at most {maxLength} characters.");
            return null;
        }

        if (!allowEmpty && (text is "null" or "undefined"))
        {
            // CognigyScript renders a missing value as the text "null"/"undefined"; routing on it would merge sessions.
            Error(field, $"The {field} field is '{text}', which looks like an unset CognigyScript value.");
            return null;
        }

        if (!allowEmpty && text.Any(char.IsControl))
        {
            Error(field, $"The {field} field must not contain control characters.");
            return null;
        }

        return text;
    }

    private void Error(string field, string message) => _errors[field] = [message];
}
