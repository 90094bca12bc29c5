using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using OrleansRouting.Tests.Infrastructure;

namespace OrleansRouting.Tests.Campaign;

/// <summary>What one Cognigy session experienced: every answer, and the last one.</summary>
public sealed record CallerOutcome(string SessionId, IReadOnlyList<(HttpStatusCode Status, TimeSpan Elapsed)> Answers)
{
    public HttpStatusCode Final => Answers[^1].Status;
}

/// <summary>
/// Behaves like Cognigy's HTTP Request node in a flow that insists: it repeats the webhook after a 202 or a
/// retryable error (503/504, honouring Retry-After), stops at a 200 or a final refusal, and sometimes repeats a
/// 200 too (a double click). Bounded in count and time.
/// </summary>
public static class CognigyCaller
{
    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(2);

    public static async Task<CallerOutcome> EscalateAsync(RoutingStack stack, string sessionId, TimeSpan patience, double repeatSuccess)
    {
        var payload = Payloads.Escalation(sessionId);
        var answers = new List<(HttpStatusCode, TimeSpan)>();
        var deadline = DateTimeOffset.UtcNow + patience;
        while (true)
        {
            var clock = Stopwatch.StartNew();
            using var response = await stack.Client.PostAsJsonAsync("/webhook/cognigy", payload);
            answers.Add((response.StatusCode, clock.Elapsed));
            var retry = response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;
            if (response.StatusCode == HttpStatusCode.OK && answers.Count == 1 && Random.Shared.NextDouble() < repeatSuccess)
            {
                retry = true;
            }

            if (!retry || DateTimeOffset.UtcNow >= deadline)
            {
                return new CallerOutcome(sessionId, answers);
            }

            var pause = response.Headers.RetryAfter?.Delta is { } hint && hint < MaxPause ? hint : TimeSpan.FromSeconds(1);
            await Task.Delay(pause);
        }
    }
}
