using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OrleansRouting.Tests.Infrastructure;

namespace OrleansRouting.Tests.Operations;

public sealed class DashboardTests : IAsyncLifetime
{
    private const string Password = "operator-password-for-tests";
    private RoutingStack? _stack;

    private RoutingStack Stack => _stack!;

    public async Task InitializeAsync() =>
        _stack = await RoutingStack.StartAsync(options => options.WebFrontSettings["Operators:Password"] = Password);

    public async Task DisposeAsync() => await _stack!.DisposeAsync();

    [Fact]
    public async Task Dashboard_is_closed_to_anonymous_callers_and_asks_browsers_for_credentials()
    {
        using var client = Stack.WebFront.CreateClient();

        using var page = await client.GetAsync("/dashboard");
        using var api = await client.GetAsync("/dashboard/ClusterStats");

        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Contains(page.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
    }

    [Fact]
    public async Task Wrong_operator_password_is_refused()
    {
        using var client = Stack.WebFront.CreateClient();
        client.DefaultRequestHeaders.Authorization = Basic("operator", "not-the-password");

        using var response = await client.GetAsync("/dashboard/ClusterStats");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Operator_sees_the_dashboard_and_a_sessions_state_in_grain_details()
    {
        var sessionId = Payloads.NewSessionId();
        using var webhook = await Stack.PostWebhookAsync(Payloads.Escalation(sessionId));
        var interactionId = (await webhook.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cxoneInteractionId").GetString()!;
        using var client = Stack.WebFront.CreateClient();
        client.DefaultRequestHeaders.Authorization = Basic("operator", Password);

        // "/dashboard/" itself: HttpClient drops Authorization when following the "/dashboard" redirect (browsers don't).
        using var page = await client.GetAsync("/dashboard/");
        using var state = await client.GetAsync($"/dashboard/GrainState?grainId={sessionId}&grainType={typeof(Grains.SessionGrain).FullName}");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("text/html", page.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, state.StatusCode);
        Assert.Contains(interactionId, await state.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scripts_may_use_the_api_key()
    {
        using var response = await Stack.Client.GetAsync("/dashboard/ClusterStats");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
}
