using System.Net;
using System.Text;
using System.Text.Json;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace OrleansRouting.Grains.Cxone;

/// <summary>Turns CXone answers and transport failures into <see cref="CxoneException"/>s the caller can act on.</summary>
internal static class CxoneFailures
{
    private const int MaxMessageLength = 300;
    private const int MaxBodyBytes = 16 * 1024;

    /// <param name="secrets">Values that must not travel on in CXone's message should a proxy or CXone echo our request.</param>
    public static async Task<CxoneException> FromResponseAsync(
        HttpResponseMessage response, string operation, CancellationToken cancellationToken, params string?[] secrets)
    {
        var status = (int)response.StatusCode;
        var retryAfter = RetryAfter(response);
        var cxoneMessage = Redact(await ReadMessageAsync(response, cancellationToken), secrets);
        var detail = cxoneMessage is null ? "" : $": {cxoneMessage}";
        return status switch
        {
            429 => new CxoneException(CxoneFailureKind.Unavailable, $"CXone throttled {operation} (429){detail}", status, retryAfter),
            408 or >= 500 => new CxoneException(CxoneFailureKind.Unavailable, $"CXone failed {operation} ({status}){detail}", status, retryAfter),
            401 => new CxoneException(CxoneFailureKind.Rejected, $"CXone refused our credentials for {operation} (401){detail}", status),
            _ => new CxoneException(CxoneFailureKind.Rejected, $"CXone rejected {operation} ({status}){detail}", status),
        };
    }

    /// <summary>Classifies what the resilience pipeline lets through; returns null for anything that is not CXone's fault.</summary>
    public static CxoneException? FromException(Exception exception, string operation, CancellationToken cancellationToken) => exception switch
    {
        CxoneException cxone => cxone,
        TimeoutRejectedException => new CxoneException(CxoneFailureKind.Timeout, $"CXone did not answer {operation} in time"),
        BrokenCircuitException broken => new CxoneException(
            CxoneFailureKind.Unavailable, $"CXone is failing; {operation} not attempted while the circuit is open", retryAfter: broken.RetryAfter),
        HttpRequestException http => new CxoneException(
            CxoneFailureKind.Unavailable, $"CXone unreachable for {operation} ({http.HttpRequestError})"),
        OperationCanceledException when !cancellationToken.IsCancellationRequested =>
            new CxoneException(CxoneFailureKind.Timeout, $"CXone did not answer {operation} in time"),
        _ => null,
    };

    public static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    /// <summary>CXone's own explanation, bounded and flattened: it is passed on to callers and logs.</summary>
    private static async Task<string?> ReadMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string body;
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[MaxBodyBytes];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
            }

            body = Encoding.UTF8.GetString(buffer, 0, length);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            return null;
        }

        return Trim(ExtractMessage(body) ?? body);
    }

    private static string? ExtractMessage(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var name in (string[])["message", "error_description", "error", "title", "detail"])
            {
                if (document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    return value.GetString();
                }
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    private static string? Redact(string? message, string?[] secrets)
    {
        foreach (var secret in secrets)
        {
            if (message is not null && !string.IsNullOrEmpty(secret))
            {
                message = message.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        return message;
    }

    internal static string? Trim(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var builder = new StringBuilder(Math.Min(text.Length, MaxMessageLength));
        foreach (var c in text)
        {
            if (builder.Length == MaxMessageLength)
            {
                builder.Append('…');
                break;
            }

            builder.Append(char.IsControl(c) ? ' ' : c);
        }

        return builder.ToString().Trim();
    }

    public static bool IsSuccess(HttpStatusCode status) => (int)status is >= 200 and < 300;
}
