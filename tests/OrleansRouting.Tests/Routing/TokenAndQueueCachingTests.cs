using System.Net;
using CxoneSandbox;
using OrleansRouting.Tests.Infrastructure;

namespace OrleansRouting.Tests.Routing;

public sealed class TokenAndQueueCachingTests
{
    [Fact]
    public async Task Hundred_sessions_cost_one_token_and_one_lookup_per_queue()
    {
        await using var stack = await RoutingStack.StartAsync();
        string[] intents = ["sales_inquiry", "billing_issue", "technical_support", "general_feedback", "unmapped_intent"];

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => stack.PostWebhookAsync(Payloads.Escalation(intent: intents[i % intents.Length]))));

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        foreach (var response in responses)
        {
            response.Dispose();
        }

        Assert.Equal(100, stack.Sandbox.State.InteractionsCreated);
        Assert.Equal(1, stack.Sandbox.State.RequestCount(SandboxEndpoint.Token));
        Assert.Equal(4, stack.Sandbox.State.RequestCount(SandboxEndpoint.Queues));
        Assert.Equal(4, stack.Sandbox.State.QueueLookups.Distinct().Count());
    }

    [Fact]
    public async Task Token_lifetime_comes_from_expires_in()
    {
        await using var stack = await RoutingStack.StartAsync(options => options.Sandbox.TokenLifetimeSeconds = 2);

        using (var first = await stack.PostWebhookAsync(Payloads.Escalation()))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        // Past the 2 s lifetime CXone gave (an assumed hour would keep using the dead token and collect a 401).
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        using (var second = await stack.PostWebhookAsync(Payloads.Escalation()))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        Assert.Equal(2, stack.Sandbox.State.TokensIssued);
        Assert.Equal(2, stack.Sandbox.State.RequestCount(SandboxEndpoint.Interactions));
    }

    [Fact]
    public async Task Token_is_refreshed_ahead_of_expiry_without_blocking_webhooks()
    {
        await using var stack = await RoutingStack.StartAsync(options => options.Sandbox.TokenLifetimeSeconds = 4);
        using (await stack.PostWebhookAsync(Payloads.Escalation()))
        {
        }

        // 3.2 s into a 4 s token: past the refresh point (75%), still usable.
        await Task.Delay(TimeSpan.FromSeconds(3.2));
        using (var response = await stack.PostWebhookAsync(Payloads.Escalation()))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await WaitUntilAsync(() => stack.Sandbox.State.TokensIssued == 2);
        Assert.Equal(2, stack.Sandbox.State.RequestCount(SandboxEndpoint.Interactions));
    }

    [Fact]
    public async Task Revoked_token_is_replaced_once_and_the_call_retried()
    {
        await using var stack = await RoutingStack.StartAsync();
        using (await stack.PostWebhookAsync(Payloads.Escalation()))
        {
        }

        stack.Sandbox.State.RevokeAllTokens();
        var sessions = Enumerable.Range(0, 10).Select(_ => Payloads.NewSessionId()).ToList();
        var responses = await Task.WhenAll(sessions.Select(id => stack.PostWebhookAsync(Payloads.Escalation(id))));

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        foreach (var response in responses)
        {
            response.Dispose();
        }

        // Ten sessions saw the 401 at about the same time; the cluster still fetched only one new token.
        Assert.Equal(2, stack.Sandbox.State.TokensIssued);
        Assert.All(sessions, id => Assert.Single(stack.Sandbox.State.InteractionsForSession(id)));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5);
        while (!condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "Condition not met within 5 s.");
            await Task.Delay(50);
        }
    }
}
