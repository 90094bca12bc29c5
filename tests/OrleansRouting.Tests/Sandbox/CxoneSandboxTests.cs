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
/// Contract tests for the CXone sandbox over real HTTP on loopback: the product's CXone client is
/// tested against this emulator, so the emulator itself must match the seed tutorial's contract.
/// </summary>
public sealed class CxoneSandboxTests : IAsyncLifetime, IDisposable
{
    private const string SalesQueueId = "q-sales-support";

    private SandboxHost _host = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await SandboxHost.StartAsync();
        _client = new HttpClient { BaseAddress = _host.BaseUrl };
    }

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    // xunit calls this after DisposeAsync; the client is owned here so CA1001 sees it disposed.
    public void Dispose() => _client.Dispose();

    [Fact]
    public void HostExposesLoopbackAddressAndDerivedAudience()
    {
        Assert.StartsWith("http://127.0.0.1:", _host.BaseAddress, StringComparison.Ordinal);
        Assert.False(_host.BaseAddress.EndsWith('/'));
        Assert.NotEqual(0, _host.BaseUrl.Port);
        Assert.Equal(_host.BaseAddress + "/", _host.Audience);
    }

    [Fact]
    public async Task RootDescribesTheSandbox()
    {
        string text = await _client.GetStringAsync(new Uri("/", UriKind.Relative));

        Assert.Contains("CXone sandbox", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenIsIssuedForValidClientCredentials()
    {
        using HttpResponseMessage response = await _client.PostAsync(TokenUri, TokenForm(_host));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
        JsonElement body = await ReadJsonAsync(response);
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("access_token").GetString()));
        Assert.Equal("bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(3600, body.GetProperty("expires_in").GetInt32());
        Assert.Equal("interactions:create queues:view", body.GetProperty("scope").GetString());
        Assert.Equal(1, _host.State.TokensIssued);
        Assert.Equal(1, _host.State.RequestCount(SandboxEndpoint.Token));
    }

    [Fact]
    public async Task EachTokenRequestGetsADistinctToken()
    {
        string first = await GetTokenAsync();
        string second = await GetTokenAsync();

        Assert.NotEqual(first, second);
        Assert.Equal(2, _host.State.TokensIssued);
    }

    [Theory]
    [InlineData("client_id", "someone-else")]
    [InlineData("client_secret", "wrong-secret")]
    public async Task TokenRejectsWrongClientCredentials(string field, string value)
    {
        using HttpResponseMessage response = await _client.PostAsync(TokenUri, TokenForm(_host, replace: (field, value)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        string raw = await response.Content.ReadAsStringAsync();
        Assert.Equal("invalid_client", JsonDocument.Parse(raw).RootElement.GetProperty("error").GetString());
        Assert.DoesNotContain("sandbox-secret", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-secret", raw, StringComparison.Ordinal);
        Assert.Equal(0, _host.State.TokensIssued);
    }

    [Theory]
    [InlineData("grant_type")]
    [InlineData("client_id")]
    [InlineData("client_secret")]
    [InlineData("audience")]
    public async Task TokenRejectsMissingField(string field)
    {
        using HttpResponseMessage response = await _client.PostAsync(TokenUri, TokenForm(_host, omit: field));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        JsonElement body = await ReadJsonAsync(response);
        Assert.Equal("invalid_request", body.GetProperty("error").GetString());
        Assert.Contains(field, body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenRejectsOtherGrantTypes()
    {
        using HttpResponseMessage response = await _client.PostAsync(TokenUri, TokenForm(_host, replace: ("grant_type", "password")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        JsonElement body = await ReadJsonAsync(response);
        Assert.Equal("invalid_request", body.GetProperty("error").GetString());
        Assert.Contains("grant_type", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenRejectsJsonContentType()
    {
        using var content = new StringContent(
            """{"grant_type":"client_credentials","client_id":"sandbox-client","client_secret":"sandbox-secret"}""",
            Encoding.UTF8,
            "application/json");

        using HttpResponseMessage response = await _client.PostAsync(TokenUri, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", (await ReadJsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task TokenRejectsWrongAudience()
    {
        using HttpResponseMessage response = await _client.PostAsync(
            TokenUri, TokenForm(_host, replace: ("audience", "https://api-us.niceincontact.com/")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_audience", (await ReadJsonAsync(response)).GetProperty("error").GetString());
        Assert.Equal(0, _host.State.TokensIssued);
    }

    [Fact]
    public async Task TokenHonoursConfiguredAudience()
    {
        const string audience = "https://api-us.niceincontact.com/";
        await using SandboxHost host = await SandboxHost.StartAsync(new SandboxOptions { Audience = audience });
        using var client = new HttpClient { BaseAddress = host.BaseUrl };

        using HttpResponseMessage accepted = await client.PostAsync(TokenUri, TokenForm(host, replace: ("audience", audience)));
        using HttpResponseMessage rejected = await client.PostAsync(TokenUri, TokenForm(host, replace: ("audience", host.BaseAddress + "/")));

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
    }

    [Theory]
    [InlineData("Sales Support Queue", "q-sales-support")]
    [InlineData("Billing Department", "q-billing")]
    [InlineData("Tier 2 Tech Support", "q-tier2-tech-support")]
    [InlineData("General Feedback Queue", "q-general-feedback")]
    public async Task QueueLookupFindsSeedQueuesByExactName(string name, string expectedId)
    {
        string token = await GetTokenAsync();

        using HttpResponseMessage response = await GetQueuesAsync(token, $"name={Uri.EscapeDataString(name)}&pageSize=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonElement body = await ReadJsonAsync(response);
        Assert.Equal(1, body.GetProperty("totalRecords").GetInt32());
        JsonElement entity = Assert.Single(body.GetProperty("entities").EnumerateArray());
        Assert.Equal(expectedId, entity.GetProperty("id").GetString());
        Assert.Equal(name, entity.GetProperty("name").GetString());
        Assert.Equal([name], _host.State.QueueLookups);
    }

    [Theory]
    [InlineData("sales support queue")]
    [InlineData("SALES SUPPORT QUEUE")]
    [InlineData("Sales Support Queue ")]
    [InlineData("No Such Queue")]
    public async Task QueueLookupIsExactAndCaseSensitive(string name)
    {
        string token = await GetTokenAsync();

        using HttpResponseMessage response = await GetQueuesAsync(token, $"name={Uri.EscapeDataString(name)}&pageSize=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonElement body = await ReadJsonAsync(response);
        Assert.Equal(0, body.GetProperty("totalRecords").GetInt32());
        Assert.Empty(body.GetProperty("entities").EnumerateArray());
    }

    [Fact]
    public async Task QueuesWithoutNameReturnFirstPage()
    {
        string token = await GetTokenAsync();

        using HttpResponseMessage response = await GetQueuesAsync(token, "pageSize=2");

        JsonElement body = await ReadJsonAsync(response);
        Assert.Equal(4, body.GetProperty("totalRecords").GetInt32());
        Assert.Equal(
            ["q-sales-support", "q-billing"],
            body.GetProperty("entities").EnumerateArray().Select(static e => e.GetProperty("id").GetString()!).ToArray());
        Assert.Empty(_host.State.QueueLookups);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("abc")]
    public async Task QueuesRejectOutOfRangePageSize(string pageSize)
    {
        string token = await GetTokenAsync();

        using HttpResponseMessage response = await GetQueuesAsync(token, $"pageSize={pageSize}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task QueuesRequireBearerToken()
    {
        using HttpResponseMessage response = await GetQueuesAsync(token: null, "name=Billing%20Department");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, static h => h.Scheme == "Bearer");
        Assert.Equal("invalid_token", (await ReadJsonAsync(response)).GetProperty("error").GetString());
        Assert.Equal(1, _host.State.RequestCount(SandboxEndpoint.Queues));
    }

    [Fact]
    public async Task QueuesRejectUnknownToken()
    {
        using HttpResponseMessage response = await GetQueuesAsync("not-a-real-token", "name=Billing%20Department");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", (await ReadJsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task CreateInteractionReturns201AndRecordsIt()
    {
        string token = await GetTokenAsync();

        using HttpResponseMessage response = await PostInteractionAsync(token, SeedPayload("session-42"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        JsonElement body = await ReadJsonAsync(response);
        string? id = body.GetProperty("id").GetString();
        Assert.False(string.IsNullOrEmpty(id));
        Assert.Equal("queued", body.GetProperty("status").GetString());
        Assert.Equal(SalesQueueId, body.GetProperty("queueId").GetString());

        CreatedInteraction created = Assert.Single(_host.State.Interactions);
        Assert.Equal(id, created.Id);
        Assert.Equal("session-42", created.SessionId);
        Assert.Equal(SalesQueueId, created.QueueId);
        Assert.Equal(5, created.Priority);
        Assert.Null(created.IdempotencyKey);
        Assert.Equal("Ada Lovelace", created.CustomerName);
        Assert.Equal("ada@example.com", created.CustomerEmail);
        Assert.Equal("session-42", created.Payload.GetProperty("customData").GetProperty("cognigySessionId").GetString());
        Assert.Equal(1, _host.State.InteractionsCreated);
        Assert.Same(created, Assert.Single(_host.State.InteractionsForSession("session-42")));
        Assert.Empty(_host.State.InteractionsForSession("other-session"));
    }

    [Fact]
    public async Task CreateInteractionReplaysSameIdempotencyKey()
    {
        string token = await GetTokenAsync();

        using HttpResponseMessage first = await PostInteractionAsync(token, SeedPayload("session-1"), idempotencyKey: "key-1");
        using HttpResponseMessage replay = await PostInteractionAsync(token, SeedPayload("session-1"), idempotencyKey: "key-1");
        using HttpResponseMessage other = await PostInteractionAsync(token, SeedPayload("session-1"), idempotencyKey: "key-2");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        string? firstId = (await ReadJsonAsync(first)).GetProperty("id").GetString();
        Assert.Equal(firstId, (await ReadJsonAsync(replay)).GetProperty("id").GetString());
        Assert.NotEqual(firstId, (await ReadJsonAsync(other)).GetProperty("id").GetString());
        Assert.Equal(2, _host.State.InteractionsCreated);
        Assert.Equal(2, _host.State.InteractionsForSession("session-1").Count);
        Assert.Equal(3, _host.State.RequestCount(SandboxEndpoint.Interactions));
        Assert.Equal("key-1", _host.State.Interactions[0].IdempotencyKey);
    }

    [Fact]
    public async Task ConcurrentRequestsWithOneIdempotencyKeyCreateOneInteraction()
    {
        string token = await GetTokenAsync();

        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 32)
            .Select(_ => PostInteractionAsync(token, SeedPayload("session-race"), idempotencyKey: "race-key")));

        try
        {
            Assert.Single(responses, static r => r.StatusCode == HttpStatusCode.Created);
            Assert.All(responses, static r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK));
            string?[] ids = await Task.WhenAll(responses.Select(async r => (await ReadJsonAsync(r)).GetProperty("id").GetString()));
            Assert.Single(ids.Distinct());
            Assert.Equal(1, _host.State.InteractionsCreated);
        }
        finally
        {
            foreach (HttpResponseMessage response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task CreateInteractionWithUnknownQueueIs422()
    {
        string token = await GetTokenAsync();

        using HttpResponseMessage response = await PostInteractionAsync(token, SeedPayload("s", queueId: "q-does-not-exist"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        JsonElement body = await ReadJsonAsync(response);
        Assert.Equal("unprocessable", body.GetProperty("error").GetString());
        Assert.Equal("Queue 'q-does-not-exist' does not exist", body.GetProperty("message").GetString());
        Assert.Equal(0, _host.State.InteractionsCreated);
    }

    [Theory]
    [InlineData("type-sms", "type")]
    [InlineData("direction-outbound", "initiationDirection")]
    [InlineData("no-routing", "routingData")]
    [InlineData("priority-0", "routingData.priority")]
    [InlineData("priority-11", "routingData.priority")]
    [InlineData("priority-string", "routingData.priority")]
    [InlineData("no-participants", "participants")]
    [InlineData("no-customer", "participants")]
    [InlineData("two-customers", "participants")]
    [InlineData("empty-contact-id", "externalContactId")]
    [InlineData("no-contact-details", "contactDetails")]
    [InlineData("unknown-role", "role")]
    [InlineData("custom-data-array", "customData")]
    public async Task CreateInteractionRejectsBadShapeWith422NamingTheField(string mutation, string field)
    {
        string token = await GetTokenAsync();
        JsonObject payload = SeedPayload("s");
        Mutate(payload, mutation);

        using HttpResponseMessage response = await PostInteractionAsync(token, payload);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains(field, (await ReadJsonAsync(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, _host.State.InteractionsCreated);
    }

    [Theory]
    [InlineData("voice")]
    [InlineData("email")]
    public async Task CreateInteractionAcceptsOtherChannelTypes(string type)
    {
        string token = await GetTokenAsync();
        JsonObject payload = SeedPayload("s");
        payload["type"] = type;
        payload["participants"]!.AsArray().RemoveAt(1);
        payload.Remove("customData");

        using HttpResponseMessage response = await PostInteractionAsync(token, payload);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task CreateInteractionRejectsMalformedJsonWith400()
    {
        string token = await GetTokenAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, InteractionsUri)
        {
            Content = new StringContent("{\"type\": \"chat\",", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using HttpResponseMessage response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task CreateInteractionRequiresBearerToken()
    {
        using HttpResponseMessage response = await PostInteractionAsync(token: null, SeedPayload("s"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, _host.State.InteractionsCreated);
    }

    [Fact]
    public async Task FailNextAnswersInjectedStatusWithRetryAfterThenRecovers()
    {
        string token = await GetTokenAsync();
        _host.State.FailNext(SandboxEndpoint.Queues, 2, 503, "maintenance", TimeSpan.FromSeconds(2));

        using HttpResponseMessage first = await GetQueuesAsync(token, "name=Billing%20Department&pageSize=1");
        using HttpResponseMessage second = await GetQueuesAsync(token, "name=Billing%20Department&pageSize=1");
        using HttpResponseMessage third = await GetQueuesAsync(token, "name=Billing%20Department&pageSize=1");

        foreach (HttpResponseMessage failed in new[] { first, second })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(2), failed.Headers.RetryAfter?.Delta);
            JsonElement body = await ReadJsonAsync(failed);
            Assert.Equal("service_unavailable", body.GetProperty("error").GetString());
            Assert.Equal("maintenance", body.GetProperty("message").GetString());
        }

        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.Equal(3, _host.State.RequestCount(SandboxEndpoint.Queues));
    }

    [Fact]
    public async Task FailNextOnTokenEndpointIssuesNoToken()
    {
        _host.State.FailNext(SandboxEndpoint.Token, 1, 429, retryAfter: TimeSpan.FromMilliseconds(1500));

        using HttpResponseMessage failed = await _client.PostAsync(TokenUri, TokenForm(_host));
        using HttpResponseMessage recovered = await _client.PostAsync(TokenUri, TokenForm(_host));

        Assert.Equal(HttpStatusCode.TooManyRequests, failed.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), failed.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        Assert.Equal(1, _host.State.TokensIssued);
        Assert.Equal(2, _host.State.RequestCount(SandboxEndpoint.Token));
    }

    [Fact]
    public async Task FailNextOnInteractionsCreatesNothing()
    {
        string token = await GetTokenAsync();
        _host.State.FailNext(SandboxEndpoint.Interactions, 1, 500);

        using HttpResponseMessage failed = await PostInteractionAsync(token, SeedPayload("s"), idempotencyKey: "k");
        using HttpResponseMessage retried = await PostInteractionAsync(token, SeedPayload("s"), idempotencyKey: "k");

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Equal(1, _host.State.InteractionsCreated);
    }

    [Fact]
    public async Task RevokeAllTokensInvalidatesIssuedTokensOnly()
    {
        string revoked = await GetTokenAsync();
        _host.State.RevokeAllTokens();
        string fresh = await GetTokenAsync();

        using HttpResponseMessage rejected = await GetQueuesAsync(revoked, "name=Billing%20Department");
        using HttpResponseMessage accepted = await GetQueuesAsync(fresh, "name=Billing%20Department");

        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
        JsonElement body = await ReadJsonAsync(rejected);
        Assert.Equal("invalid_token", body.GetProperty("error").GetString());
        Assert.Contains("revoked", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task ExpireAllTokensReportsExpiry()
    {
        string token = await GetTokenAsync();
        _host.State.ExpireAllTokens();

        using HttpResponseMessage response = await PostInteractionAsync(token, SeedPayload("s"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", (await ReadJsonAsync(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenExpiresAfterItsLifetime()
    {
        await using SandboxHost host = await SandboxHost.StartAsync(new SandboxOptions { TokenLifetimeSeconds = 1 });
        using var client = new HttpClient { BaseAddress = host.BaseUrl };
        using HttpResponseMessage tokenResponse = await client.PostAsync(TokenUri, TokenForm(host));
        JsonElement tokenBody = await ReadJsonAsync(tokenResponse);
        Assert.Equal(1, tokenBody.GetProperty("expires_in").GetInt32());
        string token = tokenBody.GetProperty("access_token").GetString()!;

        using HttpResponseMessage fresh = await SendQueuesAsync(client, token, "name=Billing%20Department");
        await Task.Delay(TimeSpan.FromMilliseconds(1200));
        using HttpResponseMessage stale = await SendQueuesAsync(client, token, "name=Billing%20Department");

        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        Assert.Contains("expired", (await ReadJsonAsync(stale)).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HangNextNeverAnswersSoClientTimesOut()
    {
        string token = await GetTokenAsync();
        _host.State.HangNext(SandboxEndpoint.Queues, 1);
        using var impatient = new HttpClient { BaseAddress = _host.BaseUrl, Timeout = TimeSpan.FromMilliseconds(500) };

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => SendQueuesAsync(impatient, token, "name=Billing%20Department"));
        using HttpResponseMessage next = await SendQueuesAsync(impatient, token, "name=Billing%20Department");

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(2, _host.State.RequestCount(SandboxEndpoint.Queues));
    }

    [Fact]
    public async Task DisposingTheHostReleasesHungRequests()
    {
        await using SandboxHost host = await SandboxHost.StartAsync();
        using var client = new HttpClient { BaseAddress = host.BaseUrl };
        host.State.HangNext(SandboxEndpoint.Token, 1);
        Task<HttpResponseMessage> hung = client.PostAsync(TokenUri, TokenForm(host));
        await WaitUntilAsync(() => host.State.RequestCount(SandboxEndpoint.Token) == 1);

        var stopwatch = Stopwatch.StartNew();
        await host.DisposeAsync();

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"Dispose took {stopwatch.Elapsed}");
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => hung);
    }

    [Fact]
    public async Task LatencyIsAddedBeforeAnswering()
    {
        string token = await GetTokenAsync();
        _host.State.SetLatency(SandboxEndpoint.Queues, TimeSpan.FromMilliseconds(250));

        var stopwatch = Stopwatch.StartNew();
        using HttpResponseMessage response = await GetQueuesAsync(token, "name=Billing%20Department");
        stopwatch.Stop();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(230), $"Answered after {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task ResetClearsCountersFaultsAndInteractionsButKeepsTokens()
    {
        string token = await GetTokenAsync();
        using (HttpResponseMessage created = await PostInteractionAsync(token, SeedPayload("s"), idempotencyKey: "k"))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        _host.State.FailNext(SandboxEndpoint.Queues, 5, 503);
        _host.State.Reset();

        Assert.Equal(0, _host.State.RequestCount(SandboxEndpoint.Token));
        Assert.Equal(0, _host.State.RequestCount(SandboxEndpoint.Interactions));
        Assert.Equal(0, _host.State.TokensIssued);
        Assert.Equal(0, _host.State.InteractionsCreated);
        Assert.Empty(_host.State.Interactions);
        Assert.Empty(_host.State.InteractionsForSession("s"));

        using HttpResponseMessage queues = await GetQueuesAsync(token, "name=Billing%20Department");
        using HttpResponseMessage recreated = await PostInteractionAsync(token, SeedPayload("s"), idempotencyKey: "k");
        Assert.Equal(HttpStatusCode.OK, queues.StatusCode);
        Assert.Equal(HttpStatusCode.Created, recreated.StatusCode);
    }

    [Fact]
    public async Task AdminEndpointsInjectFaultsReportStatsAndReset()
    {
        using (HttpResponseMessage applied = await PostJsonAsync(
            "/_sandbox/faults", """{"endpoint":"token","action":"fail","count":1,"status":502,"message":"upstream down","retryAfterSeconds":3}"""))
        {
            Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        }

        using (HttpResponseMessage failed = await _client.PostAsync(TokenUri, TokenForm(_host)))
        {
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(3), failed.Headers.RetryAfter?.Delta);
        }

        string token = await GetTokenAsync();
        using (HttpResponseMessage created = await PostInteractionAsync(token, SeedPayload("admin-session")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        JsonElement stats = JsonDocument.Parse(await _client.GetStringAsync(new Uri("/_sandbox/stats", UriKind.Relative))).RootElement;
        Assert.Equal(2, stats.GetProperty("requests").GetProperty("token").GetInt32());
        Assert.Equal(0, stats.GetProperty("requests").GetProperty("queues").GetInt32());
        Assert.Equal(1, stats.GetProperty("requests").GetProperty("interactions").GetInt32());
        Assert.Equal(1, stats.GetProperty("tokensIssued").GetInt32());
        Assert.Equal(1, stats.GetProperty("interactionsCreated").GetInt32());
        Assert.Equal(1, stats.GetProperty("interactionsPerSession").GetProperty("admin-session").GetInt32());
        JsonElement listed = Assert.Single(stats.GetProperty("interactions").EnumerateArray());
        Assert.Equal("admin-session", listed.GetProperty("sessionId").GetString());
        Assert.Equal(SalesQueueId, listed.GetProperty("queueId").GetString());

        using (HttpResponseMessage revoke = await PostJsonAsync("/_sandbox/faults", """{"action":"revoke"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        using (HttpResponseMessage rejected = await GetQueuesAsync(token, "name=Billing%20Department"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
        }

        using (HttpResponseMessage badAction = await PostJsonAsync("/_sandbox/faults", """{"endpoint":"token","action":"explode"}"""))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badAction.StatusCode);
        }

        using (HttpResponseMessage reset = await PostJsonAsync("/_sandbox/reset", "{}"))
        {
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        }

        Assert.Equal(0, _host.State.InteractionsCreated);
        Assert.Equal(0, _host.State.RequestCount(SandboxEndpoint.Token));
    }

    private static Uri TokenUri { get; } = new("/oauth/token", UriKind.Relative);

    private static Uri InteractionsUri { get; } = new("/api/v2/interactions", UriKind.Relative);

    /// <summary>The seed tutorial's token request, with one field replaced or left out.</summary>
    private static FormUrlEncodedContent TokenForm(SandboxHost host, string? omit = null, (string Field, string Value)? replace = null)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "sandbox-client",
            ["client_secret"] = "sandbox-secret",
            ["audience"] = host.BaseAddress + "/",
        };
        if (omit is not null)
        {
            fields.Remove(omit);
        }

        if (replace is { } r)
        {
            fields[r.Field] = r.Value;
        }

        return new FormUrlEncodedContent(fields);
    }

    /// <summary>The payload the seed tutorial's inject_interaction sends.</summary>
    private static JsonObject SeedPayload(string sessionId, string queueId = SalesQueueId) => new()
    {
        ["type"] = "chat",
        ["initiationDirection"] = "inbound",
        ["routingData"] = new JsonObject
        {
            ["queueId"] = queueId,
            ["priority"] = 5,
            ["skillRequirements"] = new JsonArray(),
        },
        ["participants"] = new JsonArray
        {
            new JsonObject
            {
                ["role"] = "customer",
                ["externalContactId"] = sessionId,
                ["contactDetails"] = new JsonObject { ["email"] = "ada@example.com", ["name"] = "Ada Lovelace" },
            },
            new JsonObject { ["role"] = "agent" },
        },
        ["customData"] = new JsonObject { ["cognigySessionId"] = sessionId, ["intentContext"] = "I want to buy" },
    };

    private static void Mutate(JsonObject payload, string mutation)
    {
        JsonObject routing = payload["routingData"]!.AsObject();
        JsonArray participants = payload["participants"]!.AsArray();
        JsonObject customer = participants[0]!.AsObject();
        switch (mutation)
        {
            case "type-sms": payload["type"] = "sms"; break;
            case "direction-outbound": payload["initiationDirection"] = "outbound"; break;
            case "no-routing": payload.Remove("routingData"); break;
            case "priority-0": routing["priority"] = 0; break;
            case "priority-11": routing["priority"] = 11; break;
            case "priority-string": routing["priority"] = "5"; break;
            case "no-participants": payload.Remove("participants"); break;
            case "no-customer": participants.RemoveAt(0); break;
            case "two-customers": participants.Add(customer.DeepClone()); break;
            case "empty-contact-id": customer["externalContactId"] = ""; break;
            case "no-contact-details": customer.Remove("contactDetails"); break;
            case "unknown-role": participants[1]!["role"] = "supervisor"; break;
            case "custom-data-array": payload["customData"] = new JsonArray(); break;
            default: throw new ArgumentOutOfRangeException(nameof(mutation), mutation, "Unknown mutation");
        }
    }

    private async Task<string> GetTokenAsync()
    {
        using HttpResponseMessage response = await _client.PostAsync(TokenUri, TokenForm(_host));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await ReadJsonAsync(response)).GetProperty("access_token").GetString()!;
    }

    private Task<HttpResponseMessage> GetQueuesAsync(string? token, string query) => SendQueuesAsync(_client, token, query);

    private static async Task<HttpResponseMessage> SendQueuesAsync(HttpClient client, string? token, string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/v2/queues?{query}", UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await client.SendAsync(request);
    }

    private async Task<HttpResponseMessage> PostInteractionAsync(string? token, JsonObject payload, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, InteractionsUri)
        {
            Content = new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await _client.SendAsync(request);
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

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(5), "Condition not met within 5 s");
            await Task.Delay(10);
        }
    }
}
