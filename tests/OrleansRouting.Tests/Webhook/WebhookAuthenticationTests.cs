using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansRouting.Tests.Infrastructure;

namespace OrleansRouting.Tests.Webhook;

[Collection(SharedStackCollection.Name)]
public sealed class WebhookAuthenticationTests(SharedStackFixture fixture)
{
    private RoutingStack Stack => fixture.Stack;

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong-key-0123456789abcdef")]
    [InlineData(StackOptions.ApiKey + "x")]
    [InlineData("test-api-key-0123456789abcdeF")]
    public async Task Webhook_without_a_valid_key_is_a_401_problem_and_reaches_no_grain(string? apiKey)
    {
        using var client = Stack.WebFront.CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("X-Api-Key", apiKey);
        }

        var sessionId = Payloads.NewSessionId();
        using var response = await client.PostAsJsonAsync("/webhook/cognigy", Payloads.Escalation(sessionId));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Contains("X-Api-Key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(Stack.Sandbox.State.InteractionsForSession(sessionId));
        Assert.Equal(0, (await Stack.Session(sessionId).GetState()).Attempts);
    }

    [Fact]
    public async Task Both_current_and_rotated_keys_are_accepted()
    {
        foreach (var key in new[] { StackOptions.ApiKey, StackOptions.RotatedApiKey })
        {
            using var client = Stack.WebFront.CreateClient();
            client.DefaultRequestHeaders.Add("X-Api-Key", key);

            using var response = await client.PostAsJsonAsync("/webhook/cognigy", Payloads.Escalation());

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task Auth_is_checked_before_the_body_is_read()
    {
        using var client = Stack.WebFront.CreateClient();
        using var content = new StringContent("not json", System.Text.Encoding.UTF8, "text/plain");

        using var response = await client.PostAsync("/webhook/cognigy", content);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Health_endpoints_answer_without_a_key()
    {
        using var client = Stack.WebFront.CreateClient();

        using var live = await client.GetAsync("/health/live");
        using var ready = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = await ready.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
    }
}
