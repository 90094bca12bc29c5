using System.Globalization;
using System.Net;
using System.Text;
using CxoneSandbox;
using OrleansRouting.Tests.Infrastructure;

namespace OrleansRouting.Tests.Campaign;

/// <summary>One scenario's figures, as the campaign table prints them.</summary>
public sealed record CampaignRow(
    string Scenario, int Sessions, int Sent, int Answered200, int Answered202, int OtherAnswers,
    int FinalSuccess, int FinalFailure, int InteractionsCreated, int SessionsWithDuplicates, int Lost,
    TimeSpan P99, TimeSpan Max)
{
    public const string Header =
        "| scenario | sessions | sent | 200 | 202 | other | final success | final failure | interactions | sessions >1 interaction | lost | p99 answer | max answer |\n" +
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"| {Scenario} | {Sessions} | {Sent} | {Answered200} | {Answered202} | {OtherAnswers} | {FinalSuccess} | {FinalFailure} | {InteractionsCreated} | {SessionsWithDuplicates} | {Lost} | {P99.TotalMilliseconds:0} ms | {Max.TotalMilliseconds:0} ms |");
}

/// <summary>
/// Drives a bounded batch of escalations (new sessions arriving over a few seconds, each repeated the way Cognigy
/// repeats) through a stack while a fault is active, waits for every session to settle, then checks what the
/// bridge promises: no session has two interactions, and none is lost (each ends with exactly one interaction, or
/// with a failure its caller was answered).
/// </summary>
public static class FaultCampaign
{
    /// <summary>1 (the outage lengths) unless CAMPAIGN_SCALE stretches them.</summary>
    public static double Scale { get; } = double.TryParse(Environment.GetEnvironmentVariable("CAMPAIGN_SCALE"), CultureInfo.InvariantCulture, out var scale) && scale > 0 ? scale : 1;

    public static void Configure(StackOptions options)
    {
        // Product defaults, except background retries capped lower so a batch settles within the test's time.
        options.SiloSettings.Remove("Cxone:AttemptTimeout");
        options.SiloSettings.Remove("Cxone:TotalTimeout");
        options.SiloSettings["Routing:RetryMaxDelay"] = "00:00:03";
        options.SiloSettings["Routing:RecoveryReminderPeriod"] = "00:00:05";
    }

    public static async Task<CampaignRow> RunAsync(
        RoutingStack stack, string scenario, Func<SandboxState, Task> fault, int sessions = 40, Func<Task>? during = null)
    {
        var ids = Enumerable.Range(0, sessions).Select(i => $"campaign-{i:000}-{Guid.NewGuid():N}").ToList();
        var faultTask = fault(stack.Sandbox.State);
        var callers = new List<Task<CallerOutcome>>();
        foreach (var id in ids)
        {
            callers.Add(CognigyCaller.EscalateAsync(stack, id, TimeSpan.FromSeconds(60 * Scale), repeatSuccess: 0.2));
            await Task.Delay(TimeSpan.FromMilliseconds(5000.0 / sessions));
        }

        if (during is not null)
        {
            await during();
        }

        var outcomes = await Task.WhenAll(callers);
        await faultTask;
        stack.Sandbox.State.ClearFaults();

        // Whatever is still pending must settle by itself (retries, reminders) before we count.
        var states = new Dictionary<string, SessionState>();
        await Eventually.TrueAsync(async () =>
        {
            foreach (var id in ids)
            {
                states[id] = await stack.Session(id).GetState();
            }

            return states.Values.All(s => s.Status != SessionStatus.Pending);
        }, TimeSpan.FromSeconds(90));

        var perSession = stack.Sandbox.State.InteractionCountsBySession();
        var answers = outcomes.SelectMany(o => o.Answers).ToList();
        var latencies = answers.Select(a => a.Elapsed).Order().ToList();
        var lost = ids.Count(id =>
        {
            var created = perSession.GetValueOrDefault(id);
            var outcome = outcomes.Single(o => o.SessionId == id);
            var toldFailure = states[id].Status == SessionStatus.Failed && outcome.Final is not (HttpStatusCode.OK or HttpStatusCode.Accepted);
            return created == 0 && !toldFailure;
        });

        return new CampaignRow(
            scenario,
            sessions,
            answers.Count,
            answers.Count(a => a.Status == HttpStatusCode.OK),
            answers.Count(a => a.Status == HttpStatusCode.Accepted),
            answers.Count(a => a.Status is not (HttpStatusCode.OK or HttpStatusCode.Accepted)),
            states.Values.Count(s => s.Status == SessionStatus.Routed),
            states.Values.Count(s => s.Status == SessionStatus.Failed),
            ids.Sum(id => perSession.GetValueOrDefault(id)),
            ids.Count(id => perSession.GetValueOrDefault(id) > 1),
            lost,
            latencies[(int)Math.Ceiling(latencies.Count * 0.99) - 1],
            latencies[^1]);
    }

    /// <summary>Appends to .run/fault-campaign.md, which the campaign command prints as one table.</summary>
    public static void Record(CampaignRow row, ITestOutputHelper output)
    {
        output.WriteLine(CampaignRow.Header);
        output.WriteLine(row.ToString());
        var file = Path.Combine(AzuriteFixture.RepositoryRoot(), ".run", "fault-campaign.md");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        lock (typeof(FaultCampaign))
        {
            var header = File.Exists(file) ? "" : CampaignRow.Header + "\n";
            File.AppendAllText(file, header + row + "\n", new UTF8Encoding(false));
        }
    }
}
