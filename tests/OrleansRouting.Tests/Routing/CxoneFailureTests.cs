using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CxoneSandbox;
using OrleansRouting.Tests.Infrastructure;

namespace OrleansRouting.Tests.Routing;

/// <summary>Each test gets its own stack: the token and queue caches are cluster-wide, so counts start from zero.</summary>
public sealed class CxoneFailureTests
{
    /// <summary>The mode in which transient CXone failures are answered 503/504 and Cognigy's retry does the rest.</summary>
    private static void CognigyOwnsRetries(StackOptions options) => options.SiloSettings["Routing:RetryInBackground"] = "false";

    [Fact]
    public async Task Queue_lookup_503_is_retried_and_the_webhook_succeeds()
    {
        await using var stack = await RoutingStack.StartAsync();
        stack.Sandbox.State.FailNext(SandboxEndpoint.Queues, 1, 503, "maintenance");

        using var response = await stack.PostWebhookAsync(Payloads.Escalation());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, stack.Sandbox.State.RequestCount(SandboxEndpoint.Queues));
        Assert.Equal(1, stack.Sandbox.State.InteractionsCreated);
    }

    [Fact]
    public async Task Create_422_is_a_502_with_cxones_message_and_a_later_retry_succeeds()
    {
        await using var stack = await RoutingStack.StartAsync();
        var sessionId = Payloads.NewSessionId();
        stack.Sandbox.State.FailNext(SandboxEndpoint.Interactions, 1, 422, "Skill requirements not satisfiable");

        using var rejected = await stack.PostWebhookAsync(Payloads.Escalation(sessionId));

        Assert.Equal(HttpStatusCode.BadGateway, rejected.StatusCode);
        var problem = await rejected.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(422, problem.GetProperty("cxoneStatus").GetInt32());
        Assert.Contains("Skill requirements not satisfiable", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var failed = await stack.Session(sessionId).GetState();
        Assert.Null(failed.InteractionId);
        Assert.Equal(422, failed.LastCxoneStatus);
        Assert.Contains("Skill requirements not satisfiable", failed.LastError, StringComparison.Ordinal);
        Assert.Equal(1, stack.Sandbox.State.RequestCount(SandboxEndpoint.Interactions));

        using var retried = await stack.PostWebhookAsync(Payloads.Escalation(sessionId));

        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        var body = await retried.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(body.GetProperty("duplicate").GetBoolean());
        var created = Assert.Single(stack.Sandbox.State.InteractionsForSession(sessionId));
        Assert.Equal(created.Id, body.GetProperty("cxoneInteractionId").GetString());
        var routed = await stack.Session(sessionId).GetState();
        Assert.Equal(2, routed.Attempts);
        Assert.Null(routed.LastError);
    }

    [Fact]
    public async Task Create_503_is_not_retried_in_request_and_answers_503_with_retry_after()
    {
        await using var stack = await RoutingStack.StartAsync(CognigyOwnsRetries);
        var sessionId = Payloads.NewSessionId();
        stack.Sandbox.State.FailNext(SandboxEndpoint.Interactions, 1, 503, "down", TimeSpan.FromSeconds(7));

        using var response = await stack.PostWebhookAsync(Payloads.Escalation(sessionId));

        // A 503 to a POST may still have created the interaction: only the caller's retry (deduplicated by
        // the session grain and the Idempotency-Key) may try again.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Equal(1, stack.Sandbox.State.RequestCount(SandboxEndpoint.Interactions));
        Assert.Null((await stack.Session(sessionId).GetState()).InteractionId);
    }

    [Fact]
    public async Task Create_429_with_short_retry_after_is_retried_in_request()
    {
        await using var stack = await RoutingStack.StartAsync();
        stack.Sandbox.State.FailNext(SandboxEndpoint.Interactions, 1, 429, "slow down", TimeSpan.FromSeconds(1));

        using var response = await stack.PostWebhookAsync(Payloads.Escalation());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, stack.Sandbox.State.RequestCount(SandboxEndpoint.Interactions));
        Assert.Equal(1, stack.Sandbox.State.InteractionsCreated);
    }

    [Fact]
    public async Task Cxone_unavailable_after_retries_is_a_503_with_retry_after()
    {
        await using var stack = await RoutingStack.StartAsync(CognigyOwnsRetries);
        stack.Sandbox.State.FailNext(SandboxEndpoint.Queues, 10, 500, "boom");

        using var response = await stack.PostWebhookAsync(Payloads.Escalation());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter?.Delta);
        Assert.Equal(3, stack.Sandbox.State.RequestCount(SandboxEndpoint.Queues));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(500, problem.GetProperty("cxoneStatus").GetInt32());
    }

    [Fact]
    public async Task Hanging_create_is_a_504_within_the_time_budget()
    {
        await using var stack = await RoutingStack.StartAsync(CognigyOwnsRetries);
        var sessionId = Payloads.NewSessionId();
        stack.Sandbox.State.HangNext(SandboxEndpoint.Interactions, 1);
        var started = DateTimeOffset.UtcNow;

        using var response = await stack.PostWebhookAsync(Payloads.Escalation(sessionId));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.InRange(DateTimeOffset.UtcNow - started, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(6));
        Assert.Equal(1, stack.Sandbox.State.RequestCount(SandboxEndpoint.Interactions));
        Assert.Contains("in time", (await stack.Session(sessionId).GetState()).LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_queue_is_a_422_naming_the_queue()
    {
        await using var stack = await RoutingStack.StartAsync(options => options.SiloSettings["Routing:IntentQueues:billing_issue"] = "Billing Dept (old name)");

        using var response = await stack.PostWebhookAsync(Payloads.Escalation(intent: "billing_issue"));

        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("Billing Dept (old name)", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("Billing Dept (old name)", problem.GetProperty("queueName").GetString());
        Assert.Equal(0, stack.Sandbox.State.RequestCount(SandboxEndpoint.Interactions));
    }

    [Fact]
    public async Task Queue_names_are_case_sensitive()
    {
        await using var stack = await RoutingStack.StartAsync(options => options.SiloSettings["Routing:IntentQueues:billing_issue"] = "billing department");

        using var response = await stack.PostWebhookAsync(Payloads.Escalation(intent: "billing_issue"));

        Assert.Equal((HttpStatusCode)422, response.StatusCode);
    }

    [Fact]
    public async Task Wrong_client_secret_is_a_502_that_does_not_reveal_the_secret()
    {
        const string wrongSecret = "wrong-secret-value-7f3a";
        await using var stack = await RoutingStack.StartAsync(options => options.SiloSettings["Cxone:ClientSecret"] = wrongSecret);

        using var response = await stack.PostWebhookAsync(Payloads.Escalation());

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("401", text, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongSecret, text, StringComparison.Ordinal);
        Assert.Equal(0, stack.Sandbox.State.RequestCount(SandboxEndpoint.Queues));
    }
}
