using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace CxoneSandbox;

/// <summary>
/// Pending faults for one endpoint. Lock-free: with no fault set, a request costs a handful of plain reads
/// (no clock read, no random draw, no allocation). Every setter replaces the previous setting of its kind.
/// </summary>
internal sealed class EndpointFaults(TimeProvider time)
{
    private FailurePlan? _failure;
    private FaultWindow? _failWindow;
    private ErrorRatePlan? _errorRate;
    private FaultWindow? _hangWindow;
    private long _latencyTicks;
    private double _hangRate;
    private double _dropRate;
    private int _hangRemaining;
    private int _dropRemaining;

    public TimeSpan Latency => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));

    public void SetLatency(TimeSpan latency) => Interlocked.Exchange(ref _latencyTicks, Math.Max(0, latency.Ticks));

    // A new plan replaces the pending one rather than queueing behind it, so tests state the exact next outcome.
    public void SetFailure(FailurePlan? plan) => Volatile.Write(ref _failure, plan);

    /// <summary>Every request fails with <paramref name="error"/> until <paramref name="duration"/> has passed; zero cancels.</summary>
    public void SetFailWindow(TimeSpan duration, InjectedError error) =>
        Volatile.Write(ref _failWindow, duration > TimeSpan.Zero ? new FaultWindow(time.GetTimestamp(), duration, error) : null);

    public void SetErrorRate(double rate, InjectedError error) =>
        Volatile.Write(ref _errorRate, rate > 0 ? new ErrorRatePlan(rate, error) : null);

    public void SetHang(int count) => Volatile.Write(ref _hangRemaining, Math.Max(0, count));

    /// <summary>Every request hangs until <paramref name="duration"/> has passed; zero cancels.</summary>
    public void SetHangWindow(TimeSpan duration) =>
        Volatile.Write(ref _hangWindow, duration > TimeSpan.Zero ? new FaultWindow(time.GetTimestamp(), duration, null) : null);

    public void SetHangRate(double rate) => Volatile.Write(ref _hangRate, rate);

    public void SetDrop(int count) => Volatile.Write(ref _dropRemaining, Math.Max(0, count));

    public void SetDropRate(double rate) => Volatile.Write(ref _dropRate, rate);

    /// <summary>HangNext first (it consumes a count), then the HangFor window, then the hang rate.</summary>
    public bool ShouldHang() =>
        TryDecrement(ref _hangRemaining)
        || OpenWindow(ref _hangWindow) is not null
        || Roll(Volatile.Read(ref _hangRate));

    /// <summary>FailNext first (it consumes a count), then the FailFor window, then the error rate; null means no error.</summary>
    public InjectedError? TryTakeError()
    {
        if (Volatile.Read(ref _failure) is { } plan && plan.TryTake())
        {
            return plan.Error;
        }

        if (OpenWindow(ref _failWindow) is { } window)
        {
            return window.Error;
        }

        return Volatile.Read(ref _errorRate) is { } errorRate && Roll(errorRate.Rate) ? errorRate.Error : null;
    }

    /// <summary>Whether a request that succeeded should have its connection aborted instead of being answered.</summary>
    public bool ShouldDrop() => TryDecrement(ref _dropRemaining) || Roll(Volatile.Read(ref _dropRate));

    public void Clear()
    {
        SetFailure(null);
        Volatile.Write(ref _failWindow, null);
        Volatile.Write(ref _errorRate, null);
        SetLatency(TimeSpan.Zero);
        SetHang(0);
        Volatile.Write(ref _hangWindow, null);
        SetHangRate(0);
        SetDrop(0);
        SetDropRate(0);
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

    // Rates are validated to [0, 1] by SandboxState; only a positive rate costs a random draw.
    private static bool Roll(double rate) => rate > 0 && (rate >= 1 || Random.Shared.NextDouble() < rate);

    /// <summary>The window if it is still open; a window found closed is removed so later requests skip the clock read.</summary>
    private FaultWindow? OpenWindow(ref FaultWindow? slot)
    {
        FaultWindow? window = Volatile.Read(ref slot);
        if (window is null)
        {
            return null;
        }

        if (time.GetElapsedTime(window.StartTimestamp) < window.Duration)
        {
            return window;
        }

        // Only remove this window: a concurrent setter may already have installed a new one.
        Interlocked.CompareExchange(ref slot, null, window);
        return null;
    }

    private sealed record ErrorRatePlan(double Rate, InjectedError Error);

    private sealed record FaultWindow(long StartTimestamp, TimeSpan Duration, InjectedError? Error);
}

/// <summary>A FailNext instruction: how many requests still fail, and with what.</summary>
internal sealed class FailurePlan(int count, InjectedError error)
{
    private int _remaining = count;

    public InjectedError Error { get; } = error;

    public bool TryTake() => EndpointFaults.TryDecrement(ref _remaining);
}

/// <summary>An injected error answer; the body is serialized once because it may be served many times.</summary>
internal sealed class InjectedError
{
    public InjectedError(int status, string? message, TimeSpan? retryAfter)
    {
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
