using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using OrleansRouting.Tests.Infrastructure;

namespace OrleansRouting.Tests.Cluster;

/// <summary>One HTTP answer the stream got; <see cref="Status"/> 0 is a transport error (no answer at all).</summary>
public sealed record StreamAnswer(
    string SessionId, int Episode, int Attempt, int Status, TimeSpan SentAt, TimeSpan Elapsed, string? InteractionId, bool? Duplicate, string? Error,
    TimeSpan? RetryAfter = null)
{
    public TimeSpan AnsweredAt => SentAt + Elapsed;

    public static bool IsRetryable(int status) => status is 0 or 202 or 503 or 504;
}

/// <summary>A webhook due at <see cref="Due"/>: the first of a session, or a repeat of an earlier session.</summary>
public sealed record StreamItem(int Episode, TimeSpan Due, string SessionId, bool IsRepeat);

/// <summary>How the caller's exchange for one item ended: its last answer.</summary>
public sealed record StreamEpisode(StreamItem Item, StreamAnswer Last);

/// <summary>
/// A bounded, seeded stream of Cognigy webhooks over real HTTP: new sessions spread evenly over the duration, a share of
/// repeats of earlier sessions at random times, worked by a fixed number of concurrent callers. Each caller behaves like
/// Cognigy's HTTP Request node in an insisting flow (<see cref="Campaign.CognigyCaller"/>): on a 202, 503, 504 or no answer
/// it repeats (honouring a short Retry-After, else after 1 s), bounded by attempts and patience; on anything else it stops.
/// </summary>
public sealed class WebhookStream
{
    private static readonly string[] Intents = ["billing_issue", "sales_inquiry", "technical_support", "general_feedback"];
    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(2);
    private readonly Stopwatch _clock = new();
    private readonly ConcurrentQueue<StreamAnswer> _answers = new();
    private readonly ConcurrentQueue<StreamEpisode> _episodes = new();
    private int _retried;

    public WebhookStream(int sessions, TimeSpan duration, double repeatShare, int seed)
    {
        Seed = seed;
        var random = new Random(seed);
        var prefix = $"mp-{Guid.NewGuid():N}"[..15];
        var ids = Enumerable.Range(0, sessions).Select(i => $"{prefix}-{i:D4}").ToArray();
        var plan = ids.Select((id, i) => (Due: duration * i / sessions, Id: id, Repeat: false)).ToList();
        var repeats = (int)Math.Round(sessions * repeatShare / (1 - repeatShare));
        for (var r = 0; r < repeats; r++)
        {
            var due = duration * (0.05 + (0.95 * random.NextDouble()));
            var earlier = plan.Count(p => !p.Repeat && p.Due < due);
            plan.Add((due, ids[random.Next(Math.Max(1, earlier))], true));
        }

        Plan = [.. plan.OrderBy(p => p.Due).Select((p, episode) => new StreamItem(episode, p.Due, p.Id, p.Repeat))];
        SessionIds = ids;
    }

    public int Seed { get; }
    public IReadOnlyList<StreamItem> Plan { get; }
    public IReadOnlyList<string> SessionIds { get; }
    public int Callers { get; init; } = 16;
    public int MaxAttempts { get; init; } = 15;
    public TimeSpan Patience { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time since the stream started; the clock of every <see cref="StreamAnswer"/>.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyList<StreamAnswer> Answers => [.. _answers.OrderBy(a => a.SentAt)];
    public IReadOnlyList<StreamEpisode> Episodes => [.. _episodes.OrderBy(e => e.Item.Episode)];

    /// <summary>Sends that repeated a webhook because the previous answer was retryable.</summary>
    public int Retried => Volatile.Read(ref _retried);

    public static Dictionary<string, object?> Payload(string sessionId) =>
        Payloads.Escalation(sessionId, Intents[(sessionId.GetHashCode(StringComparison.Ordinal) & 0x7fffffff) % Intents.Length]);

    public async Task RunAsync(HttpClient client)
    {
        _clock.Start();
        var work = Channel.CreateUnbounded<StreamItem>();
        var callers = Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            await foreach (var item in work.Reader.ReadAllAsync())
            {
                _episodes.Enqueue(new StreamEpisode(item, await CallAsync(client, item)));
            }
        })).ToList();

        foreach (var item in Plan)
        {
            if (item.Due > _clock.Elapsed)
            {
                await Task.Delay(item.Due - _clock.Elapsed);
            }

            work.Writer.TryWrite(item);
        }

        work.Writer.Complete();
        await Task.WhenAll(callers);
    }

    /// <summary>The answers as CSV, for the log directory.</summary>
    public string AnswersCsv()
    {
        var csv = new StringBuilder("sessionId,episode,attempt,status,sentAtMs,elapsedMs,interactionId,duplicate,error\n");
        foreach (var a in Answers)
        {
            csv.AppendLine(CultureInfo.InvariantCulture,
                $"{a.SessionId},{a.Episode},{a.Attempt},{a.Status},{a.SentAt.TotalMilliseconds:0},{a.Elapsed.TotalMilliseconds:0},{a.InteractionId},{a.Duplicate},\"{a.Error?.Replace('"', '\'')}\"");
        }

        return csv.ToString();
    }

    private async Task<StreamAnswer> CallAsync(HttpClient client, StreamItem item)
    {
        var payload = Payload(item.SessionId);
        var started = _clock.Elapsed;
        for (var attempt = 1; ; attempt++)
        {
            var answer = await SendAsync(client, item, attempt, payload);
            _answers.Enqueue(answer);
            if (!StreamAnswer.IsRetryable(answer.Status) || attempt >= MaxAttempts || _clock.Elapsed - started >= Patience)
            {
                return answer;
            }

            Interlocked.Increment(ref _retried);
            await Task.Delay(answer.RetryAfter is { } hint && hint < MaxPause ? hint : TimeSpan.FromSeconds(1));
        }
    }

    private async Task<StreamAnswer> SendAsync(HttpClient client, StreamItem item, int attempt, Dictionary<string, object?> payload)
    {
        var sentAt = _clock.Elapsed;
        try
        {
            using var response = await client.PostAsJsonAsync("/webhook/cognigy", payload);
            var elapsed = _clock.Elapsed - sentAt;
            var body = await response.Content.ReadAsStringAsync();
            string? interactionId = null;
            bool? duplicate = null;
            string? error = null;
            TimeSpan? retryAfter = null;
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var json = JsonDocument.Parse(body);
                interactionId = json.RootElement.GetProperty("cxoneInteractionId").GetString();
                duplicate = json.RootElement.GetProperty("duplicate").GetBoolean();
            }
            else
            {
                error = body.Length > 300 ? body[..300] : body;
                retryAfter = response.Headers.RetryAfter?.Delta;
            }

            return new StreamAnswer(item.SessionId, item.Episode, attempt, (int)response.StatusCode, sentAt, elapsed, interactionId, duplicate, error, retryAfter);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return new StreamAnswer(item.SessionId, item.Episode, attempt, 0, sentAt, _clock.Elapsed - sentAt, null, null, $"{ex.GetType().Name}: {ex.Message}");
        }
    }
}
