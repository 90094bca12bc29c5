using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CxoneSandbox;
using OrleansRouting.Tests.Infrastructure;

namespace OrleansRouting.Tests.Cluster;

/// <summary>Silos die; sessions stored in Azure storage (Azurite) must neither be lost nor routed twice.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SiloFailureTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private void OnAzurite(StackOptions options)
    {
        options.UseAzureTableStorage(azurite.ConnectionString);
        options.SiloSettings["Routing:AnswerBudget"] = "00:00:01";
        options.SiloSettings["Routing:RetryBaseDelay"] = "00:00:00.300";
        options.SiloSettings["Routing:RetryMaxDelay"] = "00:00:01";
        options.SiloSettings["Routing:RecoveryReminderPeriod"] = "00:00:02";
        options.SiloSettings["Cluster:ResponseTimeout"] = "00:00:05";
    }

    [Fact]
    public async Task Pending_sessions_on_a_killed_silo_are_resumed_and_routed_exactly_once()
    {
        await using var stack = await RoutingStack.StartAsync(OnAzurite);
        stack.Sandbox.State.FailNext(SandboxEndpoint.Interactions, 100_000, 503, "CXone down");
        var sessions = Enumerable.Range(0, 12).Select(_ => Payloads.NewSessionId()).ToList();
        foreach (var id in sessions)
        {
            using var response = await stack.PostWebhookAsync(Payloads.Escalation(id));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var victim = stack.Cluster.SecondarySilos[0];
        var onVictim = await SessionsOnAsync(stack, victim.SiloAddress);
        Assert.NotEmpty(onVictim);
        await stack.Cluster.KillSiloAsync(victim);
        var killedAt = DateTimeOffset.UtcNow;
        stack.Sandbox.State.FailNext(SandboxEndpoint.Interactions, 0, 503);

        await Eventually.TrueAsync(() => sessions.All(id => stack.Sandbox.State.InteractionsForSession(id).Count >= 1), TimeSpan.FromSeconds(60));
        output.WriteLine($"{onVictim.Count} of {sessions.Count} pending sessions were on the killed silo; all routed {(DateTimeOffset.UtcNow - killedAt).TotalSeconds:0.0} s after the kill");

        Assert.All(sessions, id => Assert.Single(stack.Sandbox.State.InteractionsForSession(id)));
        foreach (var id in sessions)
        {
            using var repeat = await stack.PostWebhookAsync(Payloads.Escalation(id));
            Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
            var body = await repeat.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(stack.Sandbox.State.InteractionsForSession(id)[0].Id, body.GetProperty("cxoneInteractionId").GetString());
        }

        Assert.Equal(sessions.Count, stack.Sandbox.State.InteractionsCreated);
    }

    [Fact]
    public async Task Routed_session_on_a_killed_silo_answers_the_same_interaction_without_a_second_create()
    {
        await using var stack = await RoutingStack.StartAsync(OnAzurite);
        var victim = stack.Cluster.SecondarySilos[0];
        var routed = new Dictionary<string, string>();
        for (var i = 0; i < 20; i++)
        {
            var id = Payloads.NewSessionId();
            using var response = await stack.PostWebhookAsync(Payloads.Escalation(id));
            routed[id] = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cxoneInteractionId").GetString()!;
        }

        var onVictim = await SessionsOnAsync(stack, victim.SiloAddress);
        Assert.NotEmpty(onVictim);
        await stack.Cluster.KillSiloAsync(victim);

        foreach (var id in onVictim)
        {
            using var repeat = await RetryWhileUnavailableAsync(() => stack.PostWebhookAsync(Payloads.Escalation(id)));
            Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
            var body = await repeat.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(body.GetProperty("duplicate").GetBoolean());
            Assert.Equal(routed[id], body.GetProperty("cxoneInteractionId").GetString());
        }

        Assert.Equal(20, stack.Sandbox.State.InteractionsCreated);
    }

    private static async Task<List<string>> SessionsOnAsync(RoutingStack stack, SiloAddress silo)
    {
        var statistics = await stack.Cluster.GrainFactory.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(null, [silo]);
        return [.. statistics
            .Where(s => s.GrainType.Contains(nameof(Grains.SessionGrain), StringComparison.OrdinalIgnoreCase))
            .Select(s => s.GrainId.Key.ToString()!)];
    }

    /// <summary>What Cognigy does with a 503: try again (bounded). Every retry is safe.</summary>
    private static async Task<HttpResponseMessage> RetryWhileUnavailableAsync(Func<Task<HttpResponseMessage>> send)
    {
        for (var attempt = 0; ; attempt++)
        {
            var response = await send();
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 20)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(500);
        }
    }
}
