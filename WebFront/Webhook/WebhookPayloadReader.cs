using System.Text.Json;

namespace OrleansRouting.WebFront.Webhook;

/// <summary>
/// Reads the seed's webhook payload field by field, so every rejection can name the field that caused it
/// (model binding would only say "bad request"). Unknown fields are ignored; <c>metadata</c> is accepted as is and
/// never read. Character rules per field are in <see cref="TextRules"/>.
/// </summary>
internal sealed class WebhookPayloadReader(WebhookLimits limits)
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string[]> Errors => _errors;

    public Escalation? Read(JsonElement root)
    {
        try
        {
            return ReadPayload(root);
        }
        catch (InvalidOperationException)
        {
            // The parser accepts "\ud800" and invalid UTF-8 inside property names too, and fails only when a name is
            // compared; string values are caught per field in ReadString, so this is a name somewhere in the body.
            Error("$", "The body holds a property name that is not valid Unicode text (an unpaired surrogate or invalid UTF-8).");
            return null;
        }
    }

    private Escalation? ReadPayload(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            Error("$", "The body must be a JSON object.");
            return null;
        }

        // A repeated field is read last-one-wins by the JSON parser but may be read first-one-wins by a proxy or WAF
        // in front of us; refusing it keeps everyone looking at the same value.
        RejectDuplicates(root, null, "sessionId", "user", "input", "intents");
        var sessionId = RequiredString(root, "sessionId", limits.MaxSessionIdLength, TextKind.SessionId);
        var customer = ReadUser(root);
        var input = RequiredString(root, "input", limits.MaxInputLength, TextKind.FreeText);
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

        RejectDuplicates(user, "user", "name", "email");

        // As in the seed, a user without name or email is still routed, under placeholders; an unset CognigyScript
        // value ("null", "undefined") counts as missing, because failing the escalation over a display name would
        // leave the customer without an agent.
        var name = OptionalDisplayText(user, "name", "user.name") ?? "Unknown";
        var email = OptionalDisplayText(user, "email", "user.email") ?? "unknown@example.com";
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

            RejectDuplicates(item, path, "intent", "confidence");
            var name = RequiredString(item, "intent", limits.MaxIntentLength, TextKind.Intent, path);
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

        // TryGetDouble turns 1e400 into infinity, hence the finiteness check; "NaN" can only arrive as a string.
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

    private string? RequiredString(JsonElement parent, string name, int maxLength, TextKind kind, string? parentPath = null)
    {
        var field = parentPath is null ? name : $"{parentPath}.{name}";
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            Error(field, $"The {name} field is required.");
            return null;
        }

        if (ReadString(value, field) is not { } text)
        {
            return null;
        }

        var identifier = kind is TextKind.SessionId or TextKind.Intent;
        if (identifier && string.IsNullOrWhiteSpace(text))
        {
            Error(field, $"The {field} field must not be empty.");
            return null;
        }

        if (text.Length > maxLength)
        {
            Error(field, $"The {field} field must be at most {maxLength} characters.");
            return null;
        }

        if (identifier && TextRules.IsUnsetScriptValue(text))
        {
            Error(field, $"The {field} field is '{text}', which looks like an unset CognigyScript value.");
            return null;
        }

        if (identifier && TextRules.IsUnrenderedScript(text))
        {
            Error(field, $"The {field} field holds an unrendered CognigyScript expression ({{{{…}}}}); set the node field to CognigyScript.");
            return null;
        }

        var problem = kind switch
        {
            TextKind.SessionId => TextRules.SessionIdProblem(text),
            TextKind.Intent => TextRules.IntentProblem(text),
            _ => TextRules.FreeTextProblem(text),
        };
        if (problem is not null)
        {
            Error(field, $"The {field} field {problem}.");
            return null;
        }

        return text;
    }

    private string? OptionalDisplayText(JsonElement parent, string name, string field)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (ReadString(value, field) is not { } text)
        {
            return null;
        }

        if (text.Length > limits.MaxUserFieldLength)
        {
            Error(field, $"The {field} field must be at most {limits.MaxUserFieldLength} characters.");
            return null;
        }

        if (TextRules.DisplayTextProblem(text) is { } problem)
        {
            Error(field, $"The {field} field {problem}.");
            return null;
        }

        return string.IsNullOrWhiteSpace(text) || TextRules.IsUnsetScriptValue(text) || TextRules.IsUnrenderedScript(text) ? null : text;
    }

    private string? ReadString(JsonElement value, string field)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            Error(field, $"The {field} field must be a string.");
            return null;
        }

        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // The parser accepts "\ud800" and invalid UTF-8 inside strings and only fails when the text is read.
            Error(field, $"The {field} field must be valid Unicode text (it holds an unpaired surrogate or invalid UTF-8).");
            return null;
        }
    }

    private void RejectDuplicates(JsonElement element, string? path, params string[] names)
    {
        Span<int> seen = stackalloc int[names.Length];
        foreach (var property in element.EnumerateObject())
        {
            for (var i = 0; i < names.Length; i++)
            {
                // NameEquals compares unescaped names, so "session\u0049d" counts as sessionId, as the lookup does.
                if (property.NameEquals(names[i]) && ++seen[i] == 2)
                {
                    var field = path is null ? names[i] : $"{path}.{names[i]}";
                    Error(field, $"The {field} field appears more than once.");
                }
            }
        }
    }

    private void Error(string field, string message) => _errors.TryAdd(field, [message]);

    private enum TextKind
    {
        SessionId,
        Intent,
        FreeText,
    }
}
