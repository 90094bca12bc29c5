using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OrleansRouting.Tests.Infrastructure;

namespace OrleansRouting.Tests.Cluster;

/// <summary>
/// The issue's proof, with real processes: Azurite, the CXone sandbox, two silo processes and the WebFront process, a
/// bounded stream of webhooks over loopback HTTP while a silo is killed (SIGKILL) or stopped (SIGTERM), checked against
/// what the sandbox (CXone) recorded.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class MultiProcessClusterTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private static readonly TimeSpan CognigyTimeout = TimeSpan.FromSeconds(8);

    /// <summary>CXone takes this long per create, so that creates are in flight on the silo when it dies or stops.</summary>
    private static readonly object SlowCreates = new { action = "latency", endpoint = "interactions", latencyMs = 400 };

    [Fact]
    public async Task MultiProcess_kill_9_of_a_silo_mid_stream_creates_exactly_one_interaction_per_session()
    {
        await using var cluster = await ProcessCluster.StartAsync("kill9", azurite.ConnectionString, output);
        using var client = cluster.CreateWebhookClient(TimeSpan.FromSeconds(20));
        await cluster.SandboxFaultAsync(SlowCreates);
        var stream = new WebhookStream(sessions: 200, duration: TimeSpan.FromSeconds(15), repeatShare: 0.3, seed: Environment.TickCount);

        var running = stream.RunAsync(client);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var killedAt = stream.Now;
        ProcessCluster.Kill(cluster.Silos[1]);
        output.WriteLine($"[kill9] SIGKILL {cluster.Silos[1].Name} (pid {cluster.Silos[1].Pid}) at +{killedAt.TotalSeconds:0.00} s, {DateTimeOffset.UtcNow:HH:mm:ss.fff} UTC");
        await running;

        var report = await SettleAndReportAsync(cluster, stream, "kill9", killedAt);
        report.AssertExactlyOncePerSession();
        report.AssertEverySuccessMatchesTheSandbox();
        report.AssertOnlyRetryableFailures();
        await report.AssertRepeatsAnswerTheSameInteractionAsync(client);
    }

    [Fact]
    public async Task MultiProcess_graceful_stop_of_a_silo_under_load_loses_no_request()
    {
        await using var cluster = await ProcessCluster.StartAsync("graceful", azurite.ConnectionString, output);
        using var client = cluster.CreateWebhookClient(TimeSpan.FromSeconds(20));
        await cluster.SandboxFaultAsync(SlowCreates);
        var stream = new WebhookStream(sessions: 140, duration: TimeSpan.FromSeconds(10), repeatShare: 0.3, seed: Environment.TickCount);

        var running = stream.RunAsync(client);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var stoppedAt = stream.Now;
        var stopping = ProcessCluster.StopGracefullyAsync(cluster.Silos[1], TimeSpan.FromSeconds(30));
        output.WriteLine($"[graceful] SIGTERM {cluster.Silos[1].Name} (pid {cluster.Silos[1].Pid}) at +{stoppedAt.TotalSeconds:0.00} s");
        var stopTook = await stopping;
        output.WriteLine($"[graceful] {cluster.Silos[1].Name} exited {stopTook.TotalSeconds:0.00} s after SIGTERM (exit code {cluster.Silos[1].Process.ExitCode})");
        await running;

        var report = await SettleAndReportAsync(cluster, stream, "graceful", stoppedAt);
        report.AssertExactlyOncePerSession();
        report.AssertEverySuccessMatchesTheSandbox();
        report.AssertOnlyRetryableFailures();
        var unsuccessful = stream.Episodes.Where(e => e.Last.Status != 200).ToList();
        Assert.True(unsuccessful.Count == 0,
            $"{unsuccessful.Count} webhook(s) never got a 200: " + string.Join("; ", unsuccessful.Take(10).Select(e => $"{e.Item.SessionId} last {e.Last.Status} {e.Last.Error}")));
        await report.AssertRepeatsAnswerTheSameInteractionAsync(client);
    }

    [Fact]
    public async Task MultiProcess_restart_of_every_silo_keeps_routed_sessions_deduplicated()
    {
        await using var cluster = await ProcessCluster.StartAsync("restart", azurite.ConnectionString, output);
        using var client = cluster.CreateWebhookClient(TimeSpan.FromSeconds(20));
        var sessions = Enumerable.Range(0, 40).Select(i => $"mp-restart-{Guid.NewGuid():N}"[..24] + $"-{i:D2}").ToList();
        var routed = new Dictionary<string, string>();
        foreach (var batch in sessions.Chunk(8))
        {
            foreach (var (id, answer) in await Task.WhenAll(batch.Select(async id => (id, await PostUntilSettledAsync(client, id)))))
            {
                Assert.Equal(HttpStatusCode.OK, answer.Status);
                Assert.False(answer.Duplicate);
                routed[id] = answer.InteractionId!;
            }
        }

        var before = await cluster.SandboxStatsAsync();
        Assert.Equal(sessions.Count, before.InteractionsCreated);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var silo in cluster.Silos.ToList())
        {
            var took = await ProcessCluster.StopGracefullyAsync(silo, TimeSpan.FromSeconds(30));
            output.WriteLine($"[restart] {silo.Name} stopped gracefully in {took.TotalSeconds:0.00} s");
        }

        await ProcessCluster.WhenAllOrFirstFailureAsync([cluster.StartSiloAsync(), cluster.StartSiloAsync()]);
        var silosUp = clock.Elapsed;
        await cluster.WaitForActiveSilosAsync(2, TimeSpan.FromSeconds(45));
        var webFrontSees = clock.Elapsed;
        output.WriteLine($"[restart] all silos stopped, 2 new ones live {silosUp.TotalSeconds:0.0} s and seen by the WebFront {webFrontSees.TotalSeconds:0.0} s after the first SIGTERM");

        var unavailable = 0;
        foreach (var batch in sessions.Chunk(8))
        {
            foreach (var (id, answer) in await Task.WhenAll(batch.Select(async id => (id, await PostUntilSettledAsync(client, id)))))
            {
                unavailable += answer.Attempts - 1;
                Assert.Equal(HttpStatusCode.OK, answer.Status);
                Assert.True(answer.Duplicate, $"{id}: a repeat after the restart must be answered as a duplicate");
                Assert.Equal(routed[id], answer.InteractionId);
            }
        }

        var fresh = await PostUntilSettledAsync(client, $"mp-restart-new-{Guid.NewGuid():N}");
        Assert.Equal(HttpStatusCode.OK, fresh.Status);

        var after = await cluster.SandboxStatsAsync();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[restart] {sessions.Count} routed sessions repeated after the restart: all 200 duplicate with the same id ({unavailable} retried answers); " +
            $"sandbox creates {before.InteractionsCreated} -> {after.InteractionsCreated} (one new session), interaction requests {before.Requests.Interactions} -> {after.Requests.Interactions}, " +
            $"tokens {before.TokensIssued} -> {after.TokensIssued}"));
        Assert.Equal(before.InteractionsCreated + 1, after.InteractionsCreated);
        Assert.Equal(before.Requests.Interactions + 1, after.Requests.Interactions);
        Assert.All(after.InteractionsPerSession, pair => Assert.Equal(1, pair.Value));
    }

    private async Task<StreamReport> SettleAndReportAsync(ProcessCluster cluster, WebhookStream stream, string name, TimeSpan eventAt)
    {
        // Settled: every session of the stream has its interaction (pending ones are retried by the silos themselves).
        var settleClock = System.Diagnostics.Stopwatch.StartNew();
        var stats = await cluster.SandboxStatsAsync();
        while (stream.SessionIds.Any(id => !stats.InteractionsPerSession.ContainsKey(id)) && settleClock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(250);
            stats = await cluster.SandboxStatsAsync();
        }

        var report = new StreamReport(cluster, stream, stats, eventAt, settleClock.Elapsed);
        var summary = report.Summary(name);
        output.WriteLine(summary);
        await File.WriteAllTextAsync(Path.Combine(cluster.LogDirectory, "summary.txt"), summary + "\n");
        await File.WriteAllTextAsync(Path.Combine(cluster.LogDirectory, "answers.csv"), stream.AnswersCsv());
        return report;
    }

    private static async Task<(HttpStatusCode Status, string? InteractionId, bool Duplicate, int Attempts)> PostUntilSettledAsync(HttpClient client, string sessionId)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await client.PostAsJsonAsync("/webhook/cognigy", WebhookStream.Payload(sessionId));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                return (response.StatusCode, body.GetProperty("cxoneInteractionId").GetString(), body.GetProperty("duplicate").GetBoolean(), attempt);
            }

            if (!StreamAnswer.IsRetryable((int)response.StatusCode) || attempt == 20)
            {
                return (response.StatusCode, null, false, attempt);
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>The stream's answers against the sandbox's records.</summary>
    private sealed class StreamReport(ProcessCluster cluster, WebhookStream stream, SandboxStats stats, TimeSpan eventAt, TimeSpan settleTook)
    {
        private readonly IReadOnlyList<StreamAnswer> _answers = stream.Answers;

        private Dictionary<string, List<SandboxInteraction>> BySession { get; } = (stats.Interactions ?? [])
            .GroupBy(i => i.SessionId).ToDictionary(g => g.Key, g => g.ToList());

        public string Summary(string name)
        {
            var byStatus = _answers.GroupBy(a => a.Status).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());
            var failures = string.Join(", ", byStatus.Where(p => p.Key is not (200 or 202)).Select(p => $"{(p.Key == 0 ? "transport" : p.Key.ToString(CultureInfo.InvariantCulture))}={p.Value}"));
            var duplicates = stats.InteractionsPerSession.Count(p => p.Value > 1);
            var longest = _answers.MaxBy(a => a.Elapsed)!;
            var afterEvent = _answers.Where(a => a.SentAt >= eventAt).ToList();
            var firstSuccess = afterEvent.Where(a => a.Status == 200).Select(a => a.AnsweredAt - eventAt).DefaultIfEmpty(TimeSpan.MaxValue).Min();
            var firstCreate = afterEvent.Where(a => a.Status == 200 && a.Duplicate == false).Select(a => a.AnsweredAt - eventAt).DefaultIfEmpty(TimeSpan.MaxValue).Min();
            var disturbed = _answers.Where(a => a.AnsweredAt >= eventAt && (a.Status != 200 || a.Elapsed > TimeSpan.FromSeconds(2))).ToList();
            var lastDisturbed = disturbed.Count == 0 ? "none" : $"+{(disturbed.Max(a => a.AnsweredAt) - eventAt).TotalSeconds:0.0} s";
            var neverOk = stream.Episodes.Count(e => e.Last.Status != 200);
            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture,
                $"[{name}] seed {stream.Seed}: {stream.SessionIds.Count} sessions, {stream.Plan.Count} webhooks planned ({stream.Plan.Count(p => p.IsRepeat)} repeats), {stream.Callers} callers");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"[{name}] sent {_answers.Count}, 2xx {byStatus.GetValueOrDefault(200) + byStatus.GetValueOrDefault(202)} (200: {byStatus.GetValueOrDefault(200)}, 202: {byStatus.GetValueOrDefault(202)}), " +
                $"retried {stream.Retried}, non-2xx {(failures.Length == 0 ? "none" : failures)}, webhooks never answered 200 {neverOk}");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"[{name}] sandbox: interactions {stats.InteractionsCreated} for {stats.InteractionsPerSession.Count} sessions, duplicates {duplicates}, " +
                $"idempotent replays {stats.IdempotentReplays}, create requests {stats.Requests.Interactions}, tokens {stats.TokensIssued}, queue lookups {stats.QueueLookups}; settled {settleTook.TotalSeconds:0.0} s after the stream");
            text.Append(CultureInfo.InvariantCulture,
                $"[{name}] longest answer {longest.Elapsed.TotalSeconds:0.00} s ({longest.Status} at +{longest.SentAt.TotalSeconds:0.0} s), answers over {CognigyTimeout.TotalSeconds:0} s: {_answers.Count(a => a.Elapsed > CognigyTimeout)}, " +
                $"p99 {Percentile(0.99):0.00} s; after the event at +{eventAt.TotalSeconds:0.0} s: first 200 +{Seconds(firstSuccess)}, first new create +{Seconds(firstCreate)}, " +
                $"last non-200 or >2 s answer {lastDisturbed}");
            return text.ToString();
        }

        public void AssertExactlyOncePerSession()
        {
            var twice = stats.InteractionsPerSession.Where(p => p.Value > 1).ToList();
            Assert.True(twice.Count == 0, $"Sessions with more than one CXone interaction: {string.Join(", ", twice.Select(p => $"{p.Key}={p.Value}"))}. Logs: {cluster.LogDirectory}");
            var missing = stream.SessionIds.Where(id => !stats.InteractionsPerSession.ContainsKey(id)).ToList();
            Assert.True(missing.Count == 0,
                $"{missing.Count} session(s) have no interaction {settleTook.TotalSeconds:0} s after the stream: {string.Join(", ", missing.Take(10))}; " +
                $"their last answers: {string.Join("; ", missing.Take(5).Select(id => LastAnswer(id)))}. Logs: {cluster.LogDirectory}");
            Assert.Equal(stream.SessionIds.Count, stats.InteractionsCreated);
        }

        public void AssertEverySuccessMatchesTheSandbox()
        {
            foreach (var ok in _answers.Where(a => a.Status == 200))
            {
                Assert.True(BySession.TryGetValue(ok.SessionId, out var created) && created.Count == 1,
                    $"{ok.SessionId} was answered 200 at +{ok.SentAt.TotalSeconds:0.0} s but the sandbox has {BySession.GetValueOrDefault(ok.SessionId)?.Count ?? 0} interaction(s) for it");
                Assert.True(created[0].Id == ok.InteractionId,
                    $"{ok.SessionId} was answered 200 with {ok.InteractionId} but the sandbox created {created[0].Id}");
            }
        }

        public void AssertOnlyRetryableFailures()
        {
            var final = _answers.Where(a => a.Status is not (200 or 202 or 503 or 504)).ToList();
            Assert.True(final.Count == 0,
                $"{final.Count} answer(s) Cognigy may not retry (or no answer within 20 s): " +
                string.Join("; ", final.Take(10).Select(a => $"{a.SessionId} {a.Status} after {a.Elapsed.TotalSeconds:0.0} s at +{a.SentAt.TotalSeconds:0.0} s: {a.Error}")) +
                $". Logs: {cluster.LogDirectory}");
        }

        /// <summary>Cognigy repeats every session once more: 200, duplicate, the sandbox's id, and no new create.</summary>
        public async Task AssertRepeatsAnswerTheSameInteractionAsync(HttpClient client)
        {
            var before = await cluster.SandboxStatsAsync();
            foreach (var batch in stream.SessionIds.Chunk(16))
            {
                await Task.WhenAll(batch.Select(async id =>
                {
                    var (status, interactionId, duplicate, _) = await PostUntilSettledAsync(client, id);
                    Assert.Equal(HttpStatusCode.OK, status);
                    Assert.True(duplicate, $"{id}: a repeat of a routed session must say duplicate:true");
                    Assert.Equal(BySession[id][0].Id, interactionId);
                }));
            }

            var after = await cluster.SandboxStatsAsync();
            Assert.Equal(before.InteractionsCreated, after.InteractionsCreated);
            Assert.Equal(before.Requests.Interactions, after.Requests.Interactions);
        }

        private string LastAnswer(string sessionId) =>
            _answers.LastOrDefault(a => a.SessionId == sessionId) is { } a ? $"{sessionId} {a.Status} at +{a.SentAt.TotalSeconds:0.0} s {a.Error}" : $"{sessionId} never sent";

        private double Percentile(double p)
        {
            var sorted = _answers.Select(a => a.Elapsed.TotalSeconds).Order().ToList();
            return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
        }

        private static string Seconds(TimeSpan value) => value == TimeSpan.MaxValue ? "never" : value.TotalSeconds.ToString("0.00 s", CultureInfo.InvariantCulture);
    }
}
