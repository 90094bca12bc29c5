using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CxoneSandbox;
using OrleansRouting.Tests.Infrastructure;

namespace OrleansRouting.Tests.Storage;

[Collection(AzuriteCollection.Name)]
public sealed class AzureStoragePersistenceTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Routed_session_survives_a_restart_of_the_whole_cluster()
    {
        var serviceId = $"persistence-{Guid.NewGuid():N}";
        var sessionId = Payloads.NewSessionId();
        string? interactionId;

        await using (var before = await RoutingStack.StartAsync(Configure))
        {
            using var first = await before.PostWebhookAsync(Payloads.Escalation(sessionId));
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            interactionId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cxoneInteractionId").GetString();
        }

        // New silos, new activations, new CXone sandbox: only Azure storage connects the two.
        await using var after = await RoutingStack.StartAsync(Configure);
        var state = await after.Session(sessionId).GetState();
        Assert.Equal(interactionId, state.InteractionId);
        Assert.Equal("Billing Department", state.QueueName);

        using var repeat = await after.PostWebhookAsync(Payloads.Escalation(sessionId));

        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        var body = await repeat.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("duplicate").GetBoolean());
        Assert.Equal(interactionId, body.GetProperty("cxoneInteractionId").GetString());
        Assert.Equal(0, after.Sandbox.State.RequestCount(SandboxEndpoint.Interactions));

        void Configure(StackOptions options)
        {
            options.ServiceId = serviceId;
            options.UseAzureTableStorage(azurite.ConnectionString);
        }
    }

    [Fact]
    public async Task Failed_attempt_is_stored_as_failure_not_success()
    {
        await using var stack = await RoutingStack.StartAsync(options => options.UseAzureTableStorage(azurite.ConnectionString));
        var sessionId = Payloads.NewSessionId();
        stack.Sandbox.State.FailNext(SandboxEndpoint.Interactions, 1, 403, "Missing scope interactions:create");

        using var response = await stack.PostWebhookAsync(Payloads.Escalation(sessionId));
        await stack.Cluster.GrainFactory.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var stored = await stack.Session(sessionId).GetState();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Null(stored.InteractionId);
        Assert.Equal(403, stored.LastCxoneStatus);
        Assert.Equal(1, stored.Attempts);
    }
}
