using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CxoneSandbox;
using Xunit;

namespace OrleansRouting.Tests.Sandbox;

/// <summary>
/// Contract tests for the fault-campaign controls of the CXone sandbox (error rates, outage windows,
/// hang windows and rates, dropped responses, campaign counters), over real HTTP on loopback.
/// </summary>
public sealed class CxoneSandboxFaultCampaignTests : IAsyncLifetime, IDisposable
{
    private const string SalesQueueId = "q-sales-support";
    private const string BillingLookup = "name=Billing%20Department&pageSize=1";

    private SandboxHost _host = null!;
    private HttpClient _client = null!;

    private SandboxState State => _host.State;

    public async Task InitializeAsync()
    {
        _host = await SandboxHost.StartAsync();
        _client = new HttpClient { BaseAddress = _host.BaseUrl };
    }

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task ErrorRateFailsAboutThatShareOfRequestsIndependently()
    {
        string token = await GetTokenAsync();
        State.SetErrorRate(SandboxEndpoint.Queues, 0.5, 503);

        int failures = 0;
        for (int i = 0; i < 200; i++)
        {
            using HttpResponseMessage response = await GetQueuesAsync(token, BillingLookup);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"Unexpected {response.StatusCode}");
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                failures++;
                Assert.Equal("service_unavailable", (await ReadJsonAsync(response)).GetProperty("error").GetString());
            }
        }

        // Binomial(200, 0.5): 60..140 is more than 5 standard deviations either side.
        Assert.InRange(failures, 60, 140);
        Assert.Equal(failures, State.InjectedFailures(SandboxEndpoint.Queues));
        Assert.Equal(200, State.RequestCount(SandboxEndpoint.Queues));
        Assert.Equal(200 - failures, State.QueueLookups.Count);
        Assert.Equal(0, State.InjectedFailures(SandboxEndpoint.Token));

        State.SetErrorRate(SandboxEndpoint.Queues, 0, 503);
        for (int i = 0; i < 20; i++)
        {
            using HttpResponseMessage response = await GetQueuesAsync(token, BillingLookup);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ErrorRateAnswers429WithOrWithoutRetryAfter(bool withRetryAfter)
    {
        State.SetErrorRate(
            SandboxEndpoint.Token, 1.0, 429, withRetryAfter ? TimeSpan.FromSeconds(1) : null, "rate limited");

        using HttpResponseMessage first = await _client.PostAsync(TokenUri, TokenForm());
        using HttpResponseMessage second = await _client.PostAsync(TokenUri, TokenForm());

        foreach (HttpResponseMessage response in new[] { first, second })
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.Equal(withRetryAfter ? TimeSpan.FromSeconds(1) : null, response.Headers.RetryAfter?.Delta);
            Assert.Equal(withRetryAfter, response.Headers.Contains("Retry-After"));
            JsonElement body = await ReadJsonAsync(response);
            Assert.Equal("too_many_requests", body.GetProperty("error").GetString());
            Assert.Equal("rate limited", body.GetProperty("message").GetString());
        }

        Assert.Equal(0, State.TokensIssued);
        Assert.Equal(2, State.InjectedFailures(SandboxEndpoint.Token));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void RatesOutsideZeroToOneAreRejected(double rate)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => State.SetErrorRate(SandboxEndpoint.Token, rate, 503));
        Assert.Throws<ArgumentOutOfRangeException>(() => State.SetHangRate(SandboxEndpoint.Token, rate));
        Assert.Throws<ArgumentOutOfRangeException>(() => State.SetDropResponseRate(SandboxEndpoint.Interactions, rate));
    }

    [Fact]
    public void InvalidStatusesAndDurationsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => State.SetErrorRate(SandboxEndpoint.Token, 0.5, 99));
        Assert.Throws<ArgumentOutOfRangeException>(() => State.FailFor(SandboxEndpoint.Token, TimeSpan.FromSeconds(1), 600));
        Assert.Throws<ArgumentOutOfRangeException>(() => State.FailFor(SandboxEndpoint.Token, TimeSpan.FromSeconds(-1), 503));
        Assert.Throws<ArgumentOutOfRangeException>(() => State.HangFor(SandboxEndpoint.Token, TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => State.DropResponseNext(SandboxEndpoint.Interactions, -1));
    }

    [Fact]
    public async Task FailForFailsEveryRequestUntilTheWindowEnds()
    {
        var window = Stopwatch.StartNew();
        State.FailFor(SandboxEndpoint.Token, TimeSpan.FromMilliseconds(300), 503, TimeSpan.FromSeconds(1), "CXone down");

        for (int i = 0; i < 3; i++)
        {
            using HttpResponseMessage failed = await _client.PostAsync(TokenUri, TokenForm());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), failed.Headers.RetryAfter?.Delta);
            Assert.Equal("CXone down", (await ReadJsonAsync(failed)).GetProperty("message").GetString());
        }

        Assert.True(window.Elapsed < TimeSpan.FromMilliseconds(300), $"Failed requests took {window.Elapsed}; window too short for this machine");
        await Task.Delay(TimeSpan.FromMilliseconds(350) - window.Elapsed);

        using HttpResponseMessage recovered = await _client.PostAsync(TokenUri, TokenForm());
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        Assert.Equal(3, State.InjectedFailures(SandboxEndpoint.Token));
        Assert.Equal(1, State.TokensIssued);
    }

    [Fact]
    public async Task FailForZeroCancelsTheWindow()
    {
        string token = await GetTokenAsync();
        State.FailFor(SandboxEndpoint.Interactions, TimeSpan.FromMinutes(5), 500);
        using (HttpResponseMessage failed = await PostInteractionAsync(token, SeedPayload("s")))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
            Assert.False(failed.Headers.Contains("Retry-After"));
        }

        State.FailFor(SandboxEndpoint.Interactions, TimeSpan.Zero, 500);

        using HttpResponseMessage created = await PostInteractionAsync(token, SeedPayload("s"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(1, State.InteractionsCreated);
    }

    [Fact]
    public async Task FailNextIsPlayedBeforeFailForWhichIsPlayedBeforeTheErrorRate()
    {
        string token = await GetTokenAsync();
        State.SetErrorRate(SandboxEndpoint.Queues, 1.0, 429);
        State.FailFor(SandboxEndpoint.Queues, TimeSpan.FromMinutes(5), 503);
        State.FailNext(SandboxEndpoint.Queues, 1, 500);

        using HttpResponseMessage first = await GetQueuesAsync(token, BillingLookup);
        using HttpResponseMessage second = await GetQueuesAsync(token, BillingLookup);
        State.FailFor(SandboxEndpoint.Queues, TimeSpan.Zero, 503);
        using HttpResponseMessage third = await GetQueuesAsync(token, BillingLookup);
        State.ClearFaults();
        using HttpResponseMessage fourth = await GetQueuesAsync(token, BillingLookup);

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fourth.StatusCode);
        Assert.Equal(3, State.InjectedFailures(SandboxEndpoint.Queues));
    }

    [Fact]
    public async Task HangForHangsEveryRequestInTheWindowThenAnswers()
    {
        string token = await GetTokenAsync();
        using var impatient = new HttpClient { BaseAddress = _host.BaseUrl, Timeout = TimeSpan.FromMilliseconds(250) };
        var window = Stopwatch.StartNew();
        State.HangFor(SandboxEndpoint.Queues, TimeSpan.FromMilliseconds(700));

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => SendQueuesAsync(impatient, token, BillingLookup));
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => SendQueuesAsync(impatient, token, BillingLookup));
        Assert.True(window.Elapsed < TimeSpan.FromMilliseconds(700), $"Hung requests took {window.Elapsed}; window too short for this machine");
        await Task.Delay(TimeSpan.FromMilliseconds(750) - window.Elapsed);

        using HttpResponseMessage answered = await SendQueuesAsync(impatient, token, BillingLookup);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(2, State.HungRequests(SandboxEndpoint.Queues));
        Assert.Equal(3, State.RequestCount(SandboxEndpoint.Queues));
        Assert.Equal(0, State.InjectedFailures(SandboxEndpoint.Queues));
    }

    [Fact]
    public async Task HangRateOfOneHangsEveryRequestAndZeroClearsIt()
    {
        string token = await GetTokenAsync();
        using var impatient = new HttpClient { BaseAddress = _host.BaseUrl, Timeout = TimeSpan.FromMilliseconds(250) };
        State.SetHangRate(SandboxEndpoint.Queues, 1.0);

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => SendQueuesAsync(impatient, token, BillingLookup));
        State.SetHangRate(SandboxEndpoint.Queues, 0);
        using HttpResponseMessage answered = await SendQueuesAsync(impatient, token, BillingLookup);

        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(1, State.HungRequests(SandboxEndpoint.Queues));
    }

    [Fact]
    public async Task DroppedCreateIsRecordedAndReplayedForTheSameIdempotencyKey()
    {
        string token = await GetTokenAsync();
        State.DropResponseNext(SandboxEndpoint.Interactions, 1);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => PostInteractionAsync(token, SeedPayload("session-drop"), "drop-key"));

        CreatedInteraction created = Assert.Single(State.Interactions);
        Assert.Equal("drop-key", created.IdempotencyKey);
        Assert.Same(created, Assert.Single(State.InteractionsForSession("session-drop")));
        Assert.Equal(1, State.InteractionsCreated);
        Assert.Equal(1, State.DroppedResponses);

        using HttpResponseMessage replay = await PostInteractionAsync(token, SeedPayload("session-drop"), "drop-key");

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(created.Id, (await ReadJsonAsync(replay)).GetProperty("id").GetString());
        Assert.Equal(1, State.InteractionsCreated);
        Assert.Equal(1, State.IdempotentReplays);
        Assert.Equal(1, State.InteractionCountsBySession()["session-drop"]);
        Assert.Equal(2, State.RequestCount(SandboxEndpoint.Interactions));
        Assert.Equal(0, State.InjectedFailures(SandboxEndpoint.Interactions));
    }

    [Fact]
    public async Task DropsApplyToNewCreatesOnlyNotToReplays()
    {
        string token = await GetTokenAsync();
        using (HttpResponseMessage first = await PostInteractionAsync(token, SeedPayload("s1"), "k1"))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        State.DropResponseNext(SandboxEndpoint.Interactions, 1);

        using (HttpResponseMessage replay = await PostInteractionAsync(token, SeedPayload("s1"), "k1"))
        {
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        }

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => PostInteractionAsync(token, SeedPayload("s2"), "k2"));
        using (HttpResponseMessage next = await PostInteractionAsync(token, SeedPayload("s3"), "k3"))
        {
            Assert.Equal(HttpStatusCode.Created, next.StatusCode);
        }

        Assert.Equal(3, State.InteractionsCreated);
        Assert.Equal(1, State.DroppedResponses);
        Assert.Equal(1, State.IdempotentReplays);
    }

    [Fact]
    public async Task DropRateOfOneDropsEveryNewCreateButRetriesWithTheKeyEndWithOneInteraction()
    {
        string token = await GetTokenAsync();
        State.SetDropResponseRate(SandboxEndpoint.Interactions, 1.0);

        for (int session = 0; session < 5; session++)
        {
            string key = $"campaign-{session}";
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => PostInteractionAsync(token, SeedPayload($"s{session}"), key));
            using HttpResponseMessage retry = await PostInteractionAsync(token, SeedPayload($"s{session}"), key);
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        }

        Assert.Equal(5, State.InteractionsCreated);
        Assert.Equal(5, State.DroppedResponses);
        Assert.Equal(5, State.IdempotentReplays);
        Assert.All(State.InteractionCountsBySession().Values, static count => Assert.Equal(1, count));

        State.SetDropResponseRate(SandboxEndpoint.Interactions, 0);
        using HttpResponseMessage answered = await PostInteractionAsync(token, SeedPayload("after"), "after-key");
        Assert.Equal(HttpStatusCode.Created, answered.StatusCode);
    }

    [Fact]
    public async Task DroppedQueueLookupIsRecordedButNeverAnswered()
    {
        string token = await GetTokenAsync();
        State.DropResponseNext(SandboxEndpoint.Queues, 1);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => GetQueuesAsync(token, BillingLookup));
        using HttpResponseMessage next = await GetQueuesAsync(token, BillingLookup);

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(2, State.RequestCount(SandboxEndpoint.Queues));
        Assert.Equal(["Billing Department", "Billing Department"], State.QueueLookups);
        Assert.Equal(1, State.DroppedResponses);
    }

    [Fact]
    public async Task DroppedTokenResponseStillIssuesTheToken()
    {
        State.DropResponseNext(SandboxEndpoint.Token, 1);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => _client.PostAsync(TokenUri, TokenForm()));
        using HttpResponseMessage next = await _client.PostAsync(TokenUri, TokenForm());

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(2, State.TokensIssued);
        Assert.Equal(1, State.DroppedResponses);
    }

    [Fact]
    public async Task FaultsOnlyAffectTheirEndpointAndHangsComeBeforeErrors()
    {
        string token = await GetTokenAsync();
        using var impatient = new HttpClient { BaseAddress = _host.BaseUrl, Timeout = TimeSpan.FromMilliseconds(250) };
        State.FailFor(SandboxEndpoint.Interactions, TimeSpan.FromMinutes(5), 503);
        State.HangNext(SandboxEndpoint.Interactions, 1);

        using (HttpResponseMessage queues = await SendQueuesAsync(impatient, token, BillingLookup))
        {
            Assert.Equal(HttpStatusCode.OK, queues.StatusCode);
        }

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => PostInteractionAsync(impatient, token, SeedPayload("s"), "k"));
        using (HttpResponseMessage failed = await PostInteractionAsync(impatient, token, SeedPayload("s"), "k"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }

        Assert.Equal(1, State.HungRequests(SandboxEndpoint.Interactions));
        Assert.Equal(1, State.InjectedFailures(SandboxEndpoint.Interactions));
        Assert.Equal(0, State.InteractionsCreated);
    }

    [Fact]
    public async Task ResetClearsCampaignCountersAndFaults()
    {
        string token = await GetTokenAsync();
        State.DropResponseNext(SandboxEndpoint.Interactions, 1);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => PostInteractionAsync(token, SeedPayload("s"), "k"));
        using (HttpResponseMessage replay = await PostInteractionAsync(token, SeedPayload("s"), "k"))
        {
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        }

        State.SetErrorRate(SandboxEndpoint.Queues, 1.0, 500);
        using (HttpResponseMessage failed = await GetQueuesAsync(token, BillingLookup))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        }

        State.FailFor(SandboxEndpoint.Token, TimeSpan.FromMinutes(5), 503);
        State.HangFor(SandboxEndpoint.Token, TimeSpan.FromMinutes(5));
        State.SetDropResponseRate(SandboxEndpoint.Interactions, 1.0);
        State.Reset();

        Assert.Equal(0, State.DroppedResponses);
        Assert.Equal(0, State.IdempotentReplays);
        Assert.Equal(0, State.InjectedFailures(SandboxEndpoint.Queues));
        Assert.Empty(State.InteractionCountsBySession());
        using HttpResponseMessage queues = await GetQueuesAsync(token, BillingLookup);
        using HttpResponseMessage tokenResponse = await _client.PostAsync(TokenUri, TokenForm());
        using HttpResponseMessage created = await PostInteractionAsync(token, SeedPayload("s"), "k");
        Assert.Equal(HttpStatusCode.OK, queues.StatusCode);
        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task AdminErrorRateAndFailForActions()
    {
        await PostFaultAsync("""{"endpoint":"token","action":"errorRate","rate":1,"status":429,"retryAfterSeconds":1,"message":"throttled"}""", "errorRate", "token");
        using (HttpResponseMessage throttled = await _client.PostAsync(TokenUri, TokenForm()))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), throttled.Headers.RetryAfter?.Delta);
            Assert.Equal("throttled", (await ReadJsonAsync(throttled)).GetProperty("message").GetString());
        }

        await PostFaultAsync("""{"endpoint":"token","action":"errorrate","rate":0}""", "errorRate", "token");
        string token = await GetTokenAsync();

        await PostFaultAsync("""{"endpoint":"queues","action":"failFor","durationMs":60000}""", "failFor", "queues");
        using (HttpResponseMessage down = await GetQueuesAsync(token, BillingLookup))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.False(down.Headers.Contains("Retry-After"));
        }

        await PostFaultAsync("""{"action":"clear"}""", "clear", null);
        using (HttpResponseMessage back = await GetQueuesAsync(token, BillingLookup))
        {
            Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        }

        JsonElement stats = await GetStatsAsync();
        JsonElement injected = stats.GetProperty("injectedFailures");
        Assert.Equal(1, injected.GetProperty("token").GetInt32());
        Assert.Equal(1, injected.GetProperty("queues").GetInt32());
        Assert.Equal(0, injected.GetProperty("interactions").GetInt32());
    }

    [Fact]
    public async Task AdminHangForHangRateDropAndDropRateActions()
    {
        string token = await GetTokenAsync();
        using var impatient = new HttpClient { BaseAddress = _host.BaseUrl, Timeout = TimeSpan.FromMilliseconds(250) };

        await PostFaultAsync("""{"endpoint":"queues","action":"hangFor","durationMs":60000}""", "hangFor", "queues");
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => SendQueuesAsync(impatient, token, BillingLookup));
        await PostFaultAsync("""{"endpoint":"queues","action":"hangFor","durationMs":0}""", "hangFor", "queues");
        await PostFaultAsync("""{"endpoint":"queues","action":"hangRate","rate":1}""", "hangRate", "queues");
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => SendQueuesAsync(impatient, token, BillingLookup));
        await PostFaultAsync("""{"endpoint":"queues","action":"clear"}""", "clear", "queues");

        await PostFaultAsync("""{"endpoint":"interactions","action":"drop","count":1}""", "drop", "interactions");
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => PostInteractionAsync(token, SeedPayload("a"), "ka"));
        using (HttpResponseMessage replay = await PostInteractionAsync(token, SeedPayload("a"), "ka"))
        {
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        }

        await PostFaultAsync("""{"endpoint":"interactions","action":"dropRate","rate":1}""", "dropRate", "interactions");
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => PostInteractionAsync(token, SeedPayload("b"), "kb"));

        JsonElement stats = await GetStatsAsync();
        Assert.Equal(2, stats.GetProperty("droppedResponses").GetInt32());
        Assert.Equal(1, stats.GetProperty("idempotentReplays").GetInt32());
        Assert.Equal(2, stats.GetProperty("hungRequests").GetProperty("queues").GetInt32());
        Assert.Equal(2, stats.GetProperty("interactionsCreated").GetInt32());
        Assert.Equal(1, stats.GetProperty("interactionsPerSession").GetProperty("a").GetInt32());
        Assert.Equal(1, stats.GetProperty("interactionsPerSession").GetProperty("b").GetInt32());
    }

    [Theory]
    [InlineData("""{"endpoint":"token","action":"errorRate","status":503}""")]
    [InlineData("""{"endpoint":"token","action":"errorRate","rate":1.5}""")]
    [InlineData("""{"endpoint":"token","action":"errorRate","rate":0.5,"status":99}""")]
    [InlineData("""{"endpoint":"token","action":"failFor","status":503}""")]
    [InlineData("""{"endpoint":"token","action":"failFor","durationMs":-1}""")]
    [InlineData("""{"endpoint":"token","action":"hangFor"}""")]
    [InlineData("""{"endpoint":"token","action":"hangRate","rate":-0.5}""")]
    [InlineData("""{"endpoint":"interactions","action":"drop","count":-1}""")]
    [InlineData("""{"endpoint":"interactions","action":"dropRate"}""")]
    [InlineData("""{"action":"failFor","durationMs":1000}""")]
    [InlineData("""{"action":"dropRate","rate":0.5}""")]
    public async Task AdminRejectsIncompleteOrOutOfRangeCampaignActions(string json)
    {
        using HttpResponseMessage response = await PostJsonAsync("/_sandbox/faults", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", (await ReadJsonAsync(response)).GetProperty("error").GetString());
    }

    private static Uri TokenUri { get; } = new("/oauth/token", UriKind.Relative);

    private static Uri InteractionsUri { get; } = new("/api/v2/interactions", UriKind.Relative);

    private FormUrlEncodedContent TokenForm() => new(new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["grant_type"] = "client_credentials",
        ["client_id"] = "sandbox-client",
        ["client_secret"] = "sandbox-secret",
        ["audience"] = _host.BaseAddress + "/",
    });

    private static JsonObject SeedPayload(string sessionId) => new()
    {
        ["type"] = "chat",
        ["initiationDirection"] = "inbound",
        ["routingData"] = new JsonObject { ["queueId"] = SalesQueueId, ["priority"] = 5, ["skillRequirements"] = new JsonArray() },
        ["participants"] = new JsonArray
        {
            new JsonObject
            {
                ["role"] = "customer",
                ["externalContactId"] = sessionId,
                ["contactDetails"] = new JsonObject { ["email"] = "ada@example.com", ["name"] = "Ada Lovelace" },
            },
        },
        ["customData"] = new JsonObject { ["cognigySessionId"] = sessionId },
    };

    private async Task<string> GetTokenAsync()
    {
        using HttpResponseMessage response = await _client.PostAsync(TokenUri, TokenForm());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await ReadJsonAsync(response)).GetProperty("access_token").GetString()!;
    }

    private Task<HttpResponseMessage> GetQueuesAsync(string token, string query) => SendQueuesAsync(_client, token, query);

    private static async Task<HttpResponseMessage> SendQueuesAsync(HttpClient client, string token, string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/v2/queues?{query}", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }

    private Task<HttpResponseMessage> PostInteractionAsync(string token, JsonObject payload, string? idempotencyKey = null) =>
        PostInteractionAsync(_client, token, payload, idempotencyKey);

    private static async Task<HttpResponseMessage> PostInteractionAsync(HttpClient client, string token, JsonObject payload, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, InteractionsUri)
        {
            Content = new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    private async Task PostFaultAsync(string json, string expectedAction, string? expectedEndpoint)
    {
        using HttpResponseMessage response = await PostJsonAsync("/_sandbox/faults", json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonElement body = await ReadJsonAsync(response);
        Assert.Equal(expectedAction, body.GetProperty("applied").GetString());
        Assert.Equal(expectedEndpoint, body.TryGetProperty("endpoint", out JsonElement endpoint) ? endpoint.GetString() : null);
    }

    private async Task<JsonElement> GetStatsAsync()
    {
        using JsonDocument document = JsonDocument.Parse(
            await _client.GetStringAsync(new Uri("/_sandbox/stats?interactions=false", UriKind.Relative)));
        return document.RootElement.Clone();
    }

    private async Task<HttpResponseMessage> PostJsonAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        return await _client.PostAsync(new Uri(path, UriKind.Relative), content);
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }
}
