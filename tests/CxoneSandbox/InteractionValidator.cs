using System.Text.Json;

namespace CxoneSandbox;

internal readonly record struct InteractionRequest(
    string QueueId,
    int Priority,
    string SessionId,
    string CustomerName,
    string CustomerEmail);

/// <summary>
/// Checks a create-interaction body against the shape the seed tutorial sends. Every message names
/// the offending field, because the product's error handling is tested against these 422s.
/// </summary>
internal static class InteractionValidator
{
    /// <returns>null when valid; otherwise the 422 message.</returns>
    public static string? Validate(JsonElement root, QueueCatalog queues, out InteractionRequest request)
    {
        request = default;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return "Request body must be a JSON object";
        }

        if (!root.TryGetProperty("type"u8, out JsonElement type) || type.ValueKind != JsonValueKind.String)
        {
            return "Field 'type' is required and must be a string";
        }

        if (!type.ValueEquals("chat"u8) && !type.ValueEquals("voice"u8) && !type.ValueEquals("email"u8))
        {
            return "Field 'type' must be one of 'chat', 'voice', 'email'";
        }

        if (!root.TryGetProperty("initiationDirection"u8, out JsonElement direction)
            || direction.ValueKind != JsonValueKind.String
            || !direction.ValueEquals("inbound"u8))
        {
            return "Field 'initiationDirection' must be 'inbound'";
        }

        if (!root.TryGetProperty("routingData"u8, out JsonElement routing) || routing.ValueKind != JsonValueKind.Object)
        {
            return "Field 'routingData' is required and must be an object";
        }

        string? queueId = NonEmptyString(routing, "queueId"u8);
        if (queueId is null)
        {
            return "Field 'routingData.queueId' is required and must be a non-empty string";
        }

        if (!routing.TryGetProperty("priority"u8, out JsonElement priorityElement)
            || priorityElement.ValueKind != JsonValueKind.Number
            || !priorityElement.TryGetInt32(out int priority)
            || priority is < 1 or > 10)
        {
            return "Field 'routingData.priority' is required and must be an integer from 1 to 10";
        }

        if (routing.TryGetProperty("skillRequirements"u8, out JsonElement skills)
            && skills.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null))
        {
            return "Field 'routingData.skillRequirements' must be an array";
        }

        string? participantError = ValidateParticipants(root, out string sessionId, out string name, out string email);
        if (participantError is not null)
        {
            return participantError;
        }

        if (root.TryGetProperty("customData"u8, out JsonElement customData)
            && customData.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            return "Field 'customData' must be an object";
        }

        // Reference check last: a well-formed body naming an unknown queue is the case clients must handle.
        if (!queues.ContainsId(queueId))
        {
            return $"Queue '{queueId}' does not exist";
        }

        request = new InteractionRequest(queueId, priority, sessionId, name, email);
        return null;
    }

    private static string? ValidateParticipants(JsonElement root, out string sessionId, out string name, out string email)
    {
        sessionId = name = email = string.Empty;
        if (!root.TryGetProperty("participants"u8, out JsonElement participants)
            || participants.ValueKind != JsonValueKind.Array
            || participants.GetArrayLength() == 0)
        {
            return "Field 'participants' is required and must be a non-empty array";
        }

        int customers = 0;
        int agents = 0;
        int index = 0;
        foreach (JsonElement participant in participants.EnumerateArray())
        {
            if (participant.ValueKind != JsonValueKind.Object)
            {
                return $"Field 'participants[{index}]' must be an object";
            }

            if (!participant.TryGetProperty("role"u8, out JsonElement role) || role.ValueKind != JsonValueKind.String)
            {
                return $"Field 'participants[{index}].role' is required and must be a string";
            }

            if (role.ValueEquals("customer"u8))
            {
                if (++customers > 1)
                {
                    return "Field 'participants' must contain exactly one 'customer' entry";
                }

                string? contactId = NonEmptyString(participant, "externalContactId"u8);
                if (contactId is null)
                {
                    return $"Field 'participants[{index}].externalContactId' is required and must be a non-empty string";
                }

                if (!participant.TryGetProperty("contactDetails"u8, out JsonElement details) || details.ValueKind != JsonValueKind.Object)
                {
                    return $"Field 'participants[{index}].contactDetails' is required and must be an object";
                }

                if (!details.TryGetProperty("name"u8, out JsonElement nameElement) || nameElement.ValueKind != JsonValueKind.String)
                {
                    return $"Field 'participants[{index}].contactDetails.name' is required and must be a string";
                }

                if (!details.TryGetProperty("email"u8, out JsonElement emailElement) || emailElement.ValueKind != JsonValueKind.String)
                {
                    return $"Field 'participants[{index}].contactDetails.email' is required and must be a string";
                }

                sessionId = contactId;
                name = nameElement.GetString()!;
                email = emailElement.GetString()!;
            }
            else if (role.ValueEquals("agent"u8))
            {
                if (++agents > 1)
                {
                    return "Field 'participants' may contain at most one 'agent' entry";
                }
            }
            else
            {
                return $"Field 'participants[{index}].role' must be 'customer' or 'agent'";
            }

            index++;
        }

        return customers == 1 ? null : "Field 'participants' must contain exactly one 'customer' entry";
    }

    private static string? NonEmptyString(JsonElement parent, ReadOnlySpan<byte> property) =>
        parent.TryGetProperty(property, out JsonElement value)
        && value.ValueKind == JsonValueKind.String
        && value.GetString() is { Length: > 0 } text
            ? text
            : null;
}
