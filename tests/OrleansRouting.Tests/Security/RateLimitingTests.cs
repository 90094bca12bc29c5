using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansRouting.Tests.Infrastructure;
using OrleansRouting.WebFront.Security;

namespace OrleansRouting.Tests.Security;

public sealed class RateLimitingTests
{
    [Fact]
    public async Task A_noisy_key_gets_429_with_retry_after_while_another_key_keeps_working()
    {
        await using var stack = await RoutingStack.StartAsync(options =>
        {
            options.Silos = 1;
            options.WebFrontSettings["Webhook:RateLimit:PermitsPerSecond"] = "1";
            options.WebFrontSettings["Webhook:RateLimit:Burst"] = "3";
            options.WebFrontSettings["Webhook:RateLimit:QueueLimit"] = "0";
        });
        using var noisy = Client(stack, StackOptions.ApiKey);
        using var quiet = Client(stack, StackOptions.RotatedApiKey);

        var flood = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => noisy.PostAsJsonAsync("/webhook/cognigy", Payloads.Escalation())));

        // While the noisy key keeps pushing, the other key's requests all go through.
        var secondWave = Task.WhenAll(Enumerable.Range(0, 10).Select(_ => noisy.PostAsJsonAsync("/webhook/cognigy", Payloads.Escalation())));
        var quietAnswers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => quiet.PostAsJsonAsync("/webhook/cognigy", Payloads.Escalation())));
        var noisyAnswers = flood.Concat(await secondWave).ToList();

        Assert.All(quietAnswers, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var throttled = noisyAnswers.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        var admitted = noisyAnswers.Count(r => r.StatusCode == HttpStatusCode.OK);

        // A burst of 3, plus at most one refill per second that the waves may straddle.
        Assert.InRange(admitted, 3, 5);
        Assert.Equal(noisyAnswers.Count - admitted, throttled.Count);

        var answer = throttled[0];
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        Assert.InRange(answer.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        var problem = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("retryAfterSeconds").GetInt32() >= 1);
        Assert.DoesNotContain(StackOptions.ApiKey, await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Only the admitted requests reached a session grain and CXone.
        Assert.Equal(admitted + quietAnswers.Length, stack.Sandbox.State.InteractionsCreated);
        foreach (var response in noisyAnswers.Concat(quietAnswers))
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Requests_without_a_valid_key_are_refused_before_they_spend_a_keys_permits()
    {
        await using var stack = await RoutingStack.StartAsync(options =>
        {
            options.Silos = 1;
            options.WebFrontSettings["Webhook:RateLimit:PermitsPerSecond"] = "1";
            options.WebFrontSettings["Webhook:RateLimit:Burst"] = "1";
            options.WebFrontSettings["Webhook:RateLimit:QueueLimit"] = "0";
        });
        using var anonymous = stack.WebFront.CreateClient();
        using var wrong = Client(stack, "wrong-key-0123456789abcdef");

        for (var i = 0; i < 10; i++)
        {
            using var none = await anonymous.PostAsJsonAsync("/webhook/cognigy", Payloads.Escalation());
            using var bad = await wrong.PostAsJsonAsync("/webhook/cognigy", Payloads.Escalation());
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        }

        using var valid = await stack.PostWebhookAsync(Payloads.Escalation());
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
    }

    [Fact]
    public void Defaults_allow_the_concurrent_bursts_the_other_tests_send_with_one_key()
    {
        var defaults = new WebhookRateLimitOptions();

        Assert.Equal(200, defaults.PermitsPerSecond);
        Assert.Equal(400, defaults.Burst);
        Assert.Equal(100, defaults.QueueLimit);
        Assert.True(new WebhookRateLimitOptionsValidator().Validate(null, defaults).Succeeded);
    }

    [Theory]
    [InlineData(0, 10, 0, "PermitsPerSecond")]
    [InlineData(10, 5, 0, "Burst")]
    [InlineData(10, 10, -1, "QueueLimit")]
    public void Nonsensical_limits_stop_the_start_naming_the_key(int permits, int burst, int queue, string key)
    {
        var result = new WebhookRateLimitOptionsValidator().Validate(null, new WebhookRateLimitOptions { PermitsPerSecond = permits, Burst = burst, QueueLimit = queue });

        Assert.True(result.Failed);
        Assert.Contains($"Webhook:RateLimit:{key}", result.FailureMessage, StringComparison.Ordinal);
    }

    private static HttpClient Client(RoutingStack stack, string apiKey)
    {
        var client = stack.WebFront.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("X-Api-Key", apiKey);
        return client;
    }
}
