using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CxoneSandbox;
using OrleansRouting.Tests.Infrastructure;

namespace OrleansRouting.Tests.Routing;

/// <summary>CXone slow or failing: answer within the budget, keep trying in the session, never create twice.</summary>
public sealed class PendingEscalationTests
{
    private static void FastBackgroundRetries(StackOptions options)
    {
        options.SiloSettings["Routing:AnswerBudget"] = "00:00:01";
        options.SiloSettings["Routing:RetryBaseDelay"] = "00:00:00.200";
        options.SiloSettings["Routing:RetryMaxDelay"] = "00:00:00.500";
    }

    [Fact]
    public async Task Hanging_create_is_answered_pending_within_budget_and_completes_in_background()
    {
        await using var stack = await RoutingStack.StartAsync(FastBackgroundRetries);
        var sessionId = Payloads.NewSessionId();
        stack.Sandbox.State.HangNext(SandboxEndpoint.Interactions, 1);
        var started = DateTimeOffset.UtcNow;

        using var first = await stack.PostWebhookAsync(Payloads.Escalation(sessionId));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.InRange(DateTimeOffset.UtcNow - started, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(2.5));
        var pending = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("pending", pending.GetProperty("status").GetString());
        Assert.Equal(sessionId, pending.GetProperty("sessionId").GetString());
        Assert.Equal("Billing Department", pending.GetProperty("queueName").GetString());

        await Eventually.TrueAsync(() => stack.Sandbox.State.InteractionsForSession(sessionId).Count == 1, TimeSpan.FromSeconds(10));
        using var repeat = await stack.PostWebhookAsync(Payloads.Escalation(sessionId));

        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        var routed = await repeat.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(stack.Sandbox.State.InteractionsForSession(sessionId)[0].Id, routed.GetProperty("cxoneInteractionId").GetString());
        Assert.Single(stack.Sandbox.State.InteractionsForSession(sessionId));
    }

    [Fact]
    public async Task Repeats_while_pending_report_status_and_never_start_a_second_creation()
    {
        await using var stack = await RoutingStack.StartAsync(FastBackgroundRetries);
        var sessionId = Payloads.NewSessionId();
        stack.Sandbox.State.FailNext(SandboxEndpoint.Interactions, 8, 503, "CXone maintenance");

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await stack.PostWebhookAsync(Payloads.Escalation(sessionId));
            answers.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Contains("CXone maintenance", body.GetProperty("lastError").GetString(), StringComparison.Ordinal);
            }

            await Task.Delay(150);
        }

        Assert.Equal(HttpStatusCode.Accepted, answers[0]);
        Assert.DoesNotContain(answers, status => status is not (HttpStatusCode.Accepted or HttpStatusCode.OK));
        await Eventually.TrueAsync(() => stack.Sandbox.State.InteractionsCreated == 1, TimeSpan.FromSeconds(15));
        var state = await stack.Session(sessionId).GetState();
        Assert.Equal(SessionStatus.Routed, state.Status);
        Assert.Equal(9, state.Attempts);
        Assert.Equal(9, stack.Sandbox.State.RequestCount(SandboxEndpoint.Interactions));
        Assert.True(state.ReminderScheduled);
        Assert.Null(state.CreateStartedAt);
    }

    [Fact]
    public async Task Non_retryable_answer_fails_fast_with_the_reason_and_no_retry_loop()
    {
        await using var stack = await RoutingStack.StartAsync(FastBackgroundRetries);
        var sessionId = Payloads.NewSessionId();
        stack.Sandbox.State.FailNext(SandboxEndpoint.Interactions, 1, 403, "Missing scope interactions:create");

        using var response = await stack.PostWebhookAsync(Payloads.Escalation(sessionId));
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("Missing scope", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, stack.Sandbox.State.RequestCount(SandboxEndpoint.Interactions));
        var state = await stack.Session(sessionId).GetState();
        Assert.Equal(SessionStatus.Failed, state.Status);
        Assert.Equal(RoutingStatus.CxoneRejected, state.FailureStatus);
    }

    [Fact]
    public async Task Background_retries_give_up_at_the_deadline_and_record_why()
    {
        await using var stack = await RoutingStack.StartAsync(options =>
        {
            FastBackgroundRetries(options);
            options.SiloSettings["Routing:GiveUpAfter"] = "00:00:02";
        });
        var sessionId = Payloads.NewSessionId();
        stack.Sandbox.State.FailNext(SandboxEndpoint.Interactions, 1000, 503, "still down");

        using var first = await stack.PostWebhookAsync(Payloads.Escalation(sessionId));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        await Eventually.TrueAsync(async () => (await stack.Session(sessionId).GetState()).Status == SessionStatus.Failed, TimeSpan.FromSeconds(10));
        var state = await stack.Session(sessionId).GetState();
        Assert.Equal(RoutingStatus.CxoneUnavailable, state.FailureStatus);
        Assert.StartsWith("Gave up after", state.LastError, StringComparison.Ordinal);
        Assert.True(state.ReminderScheduled);
        var attemptsAtGiveUp = stack.Sandbox.State.RequestCount(SandboxEndpoint.Interactions);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(attemptsAtGiveUp, stack.Sandbox.State.RequestCount(SandboxEndpoint.Interactions));

        // The caller is told on its next call: that call starts a new cycle, which CXone now accepts.
        stack.Sandbox.State.FailNext(SandboxEndpoint.Interactions, 0, 503);
        using var later = await stack.PostWebhookAsync(Payloads.Escalation(sessionId));
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        Assert.Single(stack.Sandbox.State.InteractionsForSession(sessionId));
    }

    [Fact]
    public async Task Open_circuit_turns_an_outage_into_pending_answers_not_a_retry_storm()
    {
        await using var stack = await RoutingStack.StartAsync(options =>
        {
            FastBackgroundRetries(options);
            options.SiloSettings["Routing:AnswerBudget"] = "00:00:00.300";
            options.Silos = 1;
        });
        stack.Sandbox.State.FailNext(SandboxEndpoint.Interactions, 100_000, 503, "outage");
        var sessions = Enumerable.Range(0, 40).Select(_ => Payloads.NewSessionId()).ToList();

        var responses = await Task.WhenAll(sessions.Select(id => stack.PostWebhookAsync(Payloads.Escalation(id))));
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.Accepted, response.StatusCode));
        var attempts = 0;
        foreach (var id in sessions)
        {
            attempts += (await stack.Session(id).GetState()).Attempts;
        }

        // Every session keeps retrying, but once the breaker opens most attempts never reach CXone.
        var reachedCxone = stack.Sandbox.State.RequestCount(SandboxEndpoint.Interactions);
        Assert.True(reachedCxone < attempts * 0.75, $"{reachedCxone} of {attempts} attempts reached CXone");
        Assert.Equal(0, stack.Sandbox.State.InteractionsCreated);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }
}
