using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CxoneSandbox;
using OrleansRouting.Tests.Infrastructure;

namespace OrleansRouting.Tests.Routing;

[Collection(SharedStackCollection.Name)]
public sealed class WebhookRoutingTests(SharedStackFixture fixture)
{
    private RoutingStack Stack => fixture.Stack;

    [Fact]
    public async Task First_webhook_creates_one_interaction_in_the_mapped_queue()
    {
        var sessionId = Payloads.NewSessionId();

        using var response = await Stack.PostWebhookAsync(Payloads.Escalation(sessionId, "billing_issue"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("success", body.GetProperty("status").GetString());
        Assert.Equal("billing_issue", body.GetProperty("intent").GetString());
        Assert.Equal("Billing Department", body.GetProperty("queueName").GetString());
        Assert.False(body.GetProperty("duplicate").GetBoolean());

        var created = Assert.Single(Stack.Sandbox.State.InteractionsForSession(sessionId));
        Assert.Equal(created.Id, body.GetProperty("cxoneInteractionId").GetString());
        Assert.Equal(created.QueueId, body.GetProperty("queueId").GetString());
        Assert.Equal(new SandboxOptions().Queues["Billing Department"], created.QueueId);
    }

    [Fact]
    public async Task Interaction_payload_follows_the_seed_contract()
    {
        var sessionId = Payloads.NewSessionId();

        using var response = await Stack.PostWebhookAsync(Payloads.Escalation(sessionId, "technical_support", 0.88));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var created = Assert.Single(Stack.Sandbox.State.InteractionsForSession(sessionId));
        Assert.Equal(sessionId, created.IdempotencyKey);
        Assert.Equal("Ada Lovelace", created.CustomerName);
        Assert.Equal("ada@example.com", created.CustomerEmail);
        Assert.Equal(5, created.Priority);
        var payload = created.Payload;
        Assert.Equal("chat", payload.GetProperty("type").GetString());
        Assert.Equal("inbound", payload.GetProperty("initiationDirection").GetString());
        var customData = payload.GetProperty("customData");
        Assert.Equal(sessionId, customData.GetProperty("cognigySessionId").GetString());
        Assert.Equal("technical_support", customData.GetProperty("detectedIntent").GetString());
        Assert.Equal("I was charged twice this month", customData.GetProperty("intentContext").GetString());
        var roles = payload.GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("role").GetString()).ToList();
        Assert.Equal(["customer", "agent"], roles);
    }

    [Fact]
    public async Task Repeat_webhook_returns_the_same_interaction_without_a_second_create()
    {
        var sessionId = Payloads.NewSessionId();
        using var first = await Stack.PostWebhookAsync(Payloads.Escalation(sessionId));
        var firstBody = await first.Content.ReadFromJsonAsync<JsonElement>();
        var createsBefore = Stack.Sandbox.State.RequestCount(SandboxEndpoint.Interactions);

        using var second = await Stack.PostWebhookAsync(Payloads.Escalation(sessionId));

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var secondBody = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(secondBody.GetProperty("duplicate").GetBoolean());
        Assert.Equal(firstBody.GetProperty("cxoneInteractionId").GetString(), secondBody.GetProperty("cxoneInteractionId").GetString());
        Assert.Equal(createsBefore, Stack.Sandbox.State.RequestCount(SandboxEndpoint.Interactions));
        Assert.Single(Stack.Sandbox.State.InteractionsForSession(sessionId));
    }

    [Fact]
    public async Task Unmapped_intent_goes_to_the_fallback_queue()
    {
        var sessionId = Payloads.NewSessionId();

        using var response = await Stack.PostWebhookAsync(Payloads.Escalation(sessionId, "cancel_subscription"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("General Feedback Queue", body.GetProperty("queueName").GetString());
        var state = await Stack.Session(sessionId).GetState();
        Assert.True(state.UsedFallback);
        Assert.Equal("cancel_subscription", state.Intent);
    }

    [Fact]
    public async Task Fifty_concurrent_identical_webhooks_create_exactly_one_interaction()
    {
        var sessionId = Payloads.NewSessionId();
        var payload = Payloads.Escalation(sessionId);

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Stack.PostWebhookAsync(payload)));

        var bodies = new List<JsonElement>();
        foreach (var response in responses)
        {
            using (response)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                bodies.Add(await response.Content.ReadFromJsonAsync<JsonElement>());
            }
        }

        var created = Assert.Single(Stack.Sandbox.State.InteractionsForSession(sessionId));
        Assert.All(bodies, body => Assert.Equal(created.Id, body.GetProperty("cxoneInteractionId").GetString()));
        Assert.Equal(1, bodies.Count(body => !body.GetProperty("duplicate").GetBoolean()));
    }

    [Fact]
    public async Task Session_state_records_the_routing_outcome()
    {
        var sessionId = Payloads.NewSessionId();
        using var response = await Stack.PostWebhookAsync(Payloads.Escalation(sessionId, "sales_inquiry", 0.7));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        var state = await Stack.Session(sessionId).GetState();

        Assert.Equal("sales_inquiry", state.Intent);
        Assert.Equal(0.7, state.Confidence);
        Assert.Equal("Sales Support Queue", state.QueueName);
        Assert.Equal(body.GetProperty("queueId").GetString(), state.QueueId);
        Assert.Equal(body.GetProperty("cxoneInteractionId").GetString(), state.InteractionId);
        Assert.Equal(1, state.Attempts);
        Assert.NotNull(state.FirstSeenAt);
        Assert.NotNull(state.RoutedAt);
        Assert.Null(state.LastError);
    }

    [Fact]
    public async Task Session_state_survives_deactivation()
    {
        var sessionId = Payloads.NewSessionId();
        using var first = await Stack.PostWebhookAsync(Payloads.Escalation(sessionId));
        var interactionId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cxoneInteractionId").GetString();

        var management = Stack.Cluster.GrainFactory.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);
        var statistics = await management.GetSimpleGrainStatistics();
        Assert.DoesNotContain(statistics, s => s.GrainType.Contains(nameof(Grains.SessionGrain), StringComparison.OrdinalIgnoreCase) && s.ActivationCount > 0);

        using var repeat = await Stack.PostWebhookAsync(Payloads.Escalation(sessionId));

        var body = await repeat.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("duplicate").GetBoolean());
        Assert.Equal(interactionId, body.GetProperty("cxoneInteractionId").GetString());
        Assert.Single(Stack.Sandbox.State.InteractionsForSession(sessionId));
    }
}
