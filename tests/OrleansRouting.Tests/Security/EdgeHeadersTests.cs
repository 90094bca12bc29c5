using System.Net;
using System.Net.Http.Json;
using System.Text;
using OrleansRouting.Tests.Infrastructure;

namespace OrleansRouting.Tests.Security;

[Collection(SharedStackCollection.Name)]
public sealed class EdgeHeadersTests(SharedStackFixture fixture)
{
    private const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'";

    private RoutingStack Stack => fixture.Stack;

    public static TheoryData<string, string, bool, HttpStatusCode> Answers => new()
    {
        // method, path, with key, expected status
        { "POST", "/webhook/cognigy", true, HttpStatusCode.OK },
        { "POST", "/webhook/cognigy?invalid", true, HttpStatusCode.BadRequest },
        { "POST", "/webhook/cognigy", false, HttpStatusCode.Unauthorized },
        { "GET", "/webhook/cognigy", true, HttpStatusCode.MethodNotAllowed },
        { "GET", "/health/ready", false, HttpStatusCode.OK },
        { "GET", "/health/live", false, HttpStatusCode.OK },
        { "GET", "/no-such-page", true, HttpStatusCode.NotFound },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task Every_answer_carries_the_security_headers_and_no_server_banner(string method, string path, bool withKey, HttpStatusCode expected)
    {
        using var client = Stack.WebFront.CreateClient();
        if (withKey)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", StackOptions.ApiKey);
        }

        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = path.EndsWith("?invalid", StringComparison.Ordinal)
                ? new StringContent("{}", Encoding.UTF8, "application/json")
                : JsonContent.Create(Payloads.Escalation());
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Equal(ApiPolicy, Header(response, "Content-Security-Policy"));
        Assert.True(response.Headers.CacheControl?.NoStore, "Cache-Control: no-store");
        Assert.False(response.Headers.Contains("Server"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Cross_origin_preflight_gets_no_cors_grant()
    {
        using var client = Stack.WebFront.CreateClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/webhook/cognigy");
        preflight.Headers.Add("Origin", "https://evil.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type,x-api-key");

        using var response = await client.SendAsync(preflight);

        Assert.False(response.IsSuccessStatusCode);
        Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_cross_origin_call_with_a_valid_key_is_answered_without_a_cors_grant()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhook/cognigy") { Content = JsonContent.Create(Payloads.Escalation()) };
        request.Headers.Add("Origin", "https://evil.example");

        using var response = await Stack.Client.SendAsync(request);

        // A browser would refuse to hand this answer to the page: no Access-Control-Allow-Origin.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("/dashboard")]
    [InlineData("/dashboard/index.html")]
    [InlineData("/DashboardCounters")]
    [InlineData("/GrainState?grainId=session-1&grainType=SessionGrain")]
    [InlineData("/metrics")]
    public async Task Anything_not_explicitly_public_requires_a_key(string path)
    {
        using var client = Stack.WebFront.CreateClient();

        using var response = await client.GetAsync(path);

        // Deny by default, so a dashboard or inspection endpoint mapped later is not public by accident.
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_dashboard_path_gets_the_ui_policy_instead_of_the_api_policy()
    {
        using var response = await Stack.Client.GetAsync("/dashboard/index.html");

        var policy = Header(response, "Content-Security-Policy");
        Assert.NotEqual(ApiPolicy, policy);
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;
}
