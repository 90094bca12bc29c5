using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CxoneSandbox;
using OrleansRouting.Tests.Infrastructure;

namespace OrleansRouting.Tests.Operations;

[Collection(SharedStackCollection.Name)]
public sealed class SessionsApiTests(SharedStackFixture fixture)
{
    private RoutingStack Stack => fixture.Stack;

    [Fact]
    public async Task Routed_session_shows_decision_interaction_and_timestamps()
    {
        var sessionId = Payloads.NewSessionId();
        using var webhook = await Stack.PostWebhookAsync(Payloads.Escalation(sessionId, "technical_support", 0.81));
        var interactionId = (await webhook.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cxoneInteractionId").GetString();

        using var response = await Stack.Client.GetAsync($"/sessions/{sessionId}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var session = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(sessionId, session.GetProperty("sessionId").GetString());
        Assert.Equal("Routed", session.GetProperty("status").GetString());
        Assert.Equal("technical_support", session.GetProperty("intent").GetString());
        Assert.Equal("Tier 2 Tech Support", session.GetProperty("queueName").GetString());
        Assert.Equal(interactionId, session.GetProperty("interactionId").GetString());
        Assert.Equal(1, session.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Null, session.GetProperty("lastError").ValueKind);
        Assert.Equal(JsonValueKind.String, session.GetProperty("routedAt").ValueKind);
    }

    [Fact]
    public async Task Failed_session_shows_the_last_error()
    {
        var sessionId = Payloads.NewSessionId();
        Stack.Sandbox.State.FailNext(SandboxEndpoint.Interactions, 1, 422, "Queue is closed for chat");
        using (await Stack.PostWebhookAsync(Payloads.Escalation(sessionId)))
        {
        }

        var session = await Stack.Client.GetFromJsonAsync<JsonElement>($"/sessions/{sessionId}");

        Assert.Equal("Failed", session.GetProperty("status").GetString());
        Assert.Equal(422, session.GetProperty("lastCxoneStatus").GetInt32());
        Assert.Contains("Queue is closed for chat", session.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal("CxoneRejected", session.GetProperty("failureStatus").GetString());
    }

    [Fact]
    public async Task Unknown_session_is_a_404_problem()
    {
        using var response = await Stack.Client.GetAsync($"/sessions/{Payloads.NewSessionId()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("bad%20id")]
    [InlineData("---")]
    [InlineData("a%2Fb")]
    public async Task Invalid_session_id_is_a_400_problem(string sessionId)
    {
        using var response = await Stack.Client.GetAsync($"/sessions/{sessionId}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Recent_sessions_lists_the_newest_first_across_shards()
    {
        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var id = Payloads.NewSessionId();
            ids.Add(id);
            using (await Stack.PostWebhookAsync(Payloads.Escalation(id)))
            {
            }
        }

        // Sessions report with one-way calls: give the last of them a moment to land.
        JsonElement recent = default;
        await Eventually.TrueAsync(async () =>
        {
            recent = await Stack.Client.GetFromJsonAsync<JsonElement>("/sessions?limit=12");
            return recent.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("sessionId").GetString()).SequenceEqual(Enumerable.Reverse(ids));
        }, TimeSpan.FromSeconds(5));

        Assert.Equal(12, recent.GetProperty("count").GetInt32());
        Assert.All(recent.GetProperty("sessions").EnumerateArray(), s => Assert.Equal("Routed", s.GetProperty("status").GetString()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(501)]
    public async Task Recent_sessions_limit_is_bounded(int limit)
    {
        using var response = await Stack.Client.GetAsync($"/sessions?limit={limit}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("/sessions")]
    [InlineData("/sessions/session-1")]
    public async Task Inspection_requires_authentication(string path)
    {
        using var client = Stack.WebFront.CreateClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
