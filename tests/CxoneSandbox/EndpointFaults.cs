using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace CxoneSandbox;

/// <summary>
/// Pending faults for one endpoint. Lock-free: the no-fault hot path is three plain reads.
/// </summary>
internal sealed class EndpointFaults
{
    private FailurePlan? _failure;
    private long _latencyTicks;
    private int _hangRemaining;

    public TimeSpan Latency => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));

    public void SetLatency(TimeSpan latency) => Interlocked.Exchange(ref _latencyTicks, Math.Max(0, latency.Ticks));

    // A new plan replaces the pending one rather than queueing behind it, so tests state the exact next outcome.
    public void SetFailure(FailurePlan? plan) => Volatile.Write(ref _failure, plan);

    public FailurePlan? TryTakeFailure()
    {
        var plan = Volatile.Read(ref _failure);
        return plan is not null && plan.TryTake() ? plan : null;
    }

    public void SetHang(int count) => Volatile.Write(ref _hangRemaining, Math.Max(0, count));

    public bool TryTakeHang() => TryDecrement(ref _hangRemaining);

    public void Clear()
    {
        SetFailure(null);
        SetLatency(TimeSpan.Zero);
        SetHang(0);
    }

    internal static bool TryDecrement(ref int counter)
    {
        while (true)
        {
            int current = Volatile.Read(ref counter);
            if (current <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref counter, current - 1, current) == current)
            {
                return true;
            }
        }
    }
}

/// <summary>A FailNext instruction; the body is serialized once because it may be served many times.</summary>
internal sealed class FailurePlan
{
    private int _remaining;

    public FailurePlan(int count, int status, string? message, TimeSpan? retryAfter)
    {
        _remaining = count;
        Status = status;
        string error = ErrorCodeFor(status);
        Body = JsonSerializer.SerializeToUtf8Bytes(
            new ErrorBody(error, message ?? $"Injected fault: {status} {ReasonPhrases.GetReasonPhrase(status)}".TrimEnd()),
            SandboxJson.Context.ErrorBody);
        if (retryAfter is { } delay)
        {
            // Retry-After only carries whole seconds; round up so a client never retries early.
            RetryAfter = ((long)Math.Ceiling(Math.Max(0, delay.TotalSeconds))).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public int Status { get; }

    public byte[] Body { get; }

    public string? RetryAfter { get; }

    public bool TryTake() => EndpointFaults.TryDecrement(ref _remaining);

    // Reuse the codes the sandbox itself returns so clients see one error vocabulary.
    private static string ErrorCodeFor(int status) => status switch
    {
        400 => "invalid_request",
        401 => "invalid_token",
        422 => "unprocessable",
        500 => "internal_error",
        _ => SnakeCase(ReasonPhrases.GetReasonPhrase(status)),
    };

    private static string SnakeCase(string phrase)
    {
        if (phrase.Length == 0)
        {
            return "error";
        }

        return string.Create(phrase.Length, phrase, static (span, source) =>
        {
            for (int i = 0; i < source.Length; i++)
            {
                char c = source[i];
                span[i] = char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_';
            }
        });
    }
}
