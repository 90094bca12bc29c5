using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansRouting.Grains.Cxone;

/// <summary>The CXone API calls the session grain and the queue directory need; bearer tokens come from <see cref="BearerTokenHandler"/>.</summary>
public sealed class CxoneClient(HttpClient http)
{
    /// <summary><c>GET /api/v2/queues?name=&amp;pageSize=1</c>; null when CXone has no queue of exactly that (case-sensitive) name.</summary>
    public async Task<string?> FindQueueIdAsync(string queueName, CancellationToken cancellationToken = default)
    {
        const string operation = "the queue lookup";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v2/queues?name={Uri.EscapeDataString(queueName)}&pageSize=1");
        var page = await SendAsync(request, operation, CxoneJsonContext.Default.QueuePage, cancellationToken);
        var first = page?.Entities is { Count: > 0 } entities ? entities[0] : null;

        // A search may match loosely; only an exact name is the queue we were configured with.
        return first?.Id is { Length: > 0 } id && (first.Name is null || first.Name == queueName) ? id : null;
    }

    /// <summary>
    /// <c>POST /api/v2/interactions</c> with the seed's payload. The session id doubles as the
    /// <c>Idempotency-Key</c>, so a CXone that honours it turns our retries into replays.
    /// </summary>
    public async Task<string> CreateInteractionAsync(InteractionRequest interaction, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        const string operation = "the interaction create";
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/interactions")
        {
            Content = JsonContent.Create(interaction, CxoneJsonContext.Default.InteractionRequest),
        };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        request.Options.Set(CxoneResilience.NotIdempotent, true);
        var created = await SendAsync(request, operation, CxoneJsonContext.Default.InteractionCreated, cancellationToken);
        return created?.Id is { Length: > 0 } id
            ? id
            : throw new CxoneException(CxoneFailureKind.Rejected, "CXone accepted the interaction but returned no id");
    }

    private async Task<T?> SendAsync<T>(HttpRequestMessage request, string operation, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (!CxoneFailures.IsSuccess(response.StatusCode))
            {
                throw await CxoneFailures.FromResponseAsync(response, operation, cancellationToken, request.Headers.Authorization?.Parameter);
            }

            return await response.Content.ReadFromJsonAsync(type, cancellationToken);
        }
        catch (JsonException)
        {
            throw new CxoneException(CxoneFailureKind.Rejected, $"CXone's answer to {operation} was not the expected JSON");
        }
        catch (Exception ex) when (ex is not CxoneException && CxoneFailures.FromException(ex, operation, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }
}
