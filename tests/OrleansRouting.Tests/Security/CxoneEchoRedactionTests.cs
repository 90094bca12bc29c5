using System.Net;
using CxoneSandbox;
using OrleansRouting.Tests.Infrastructure;

namespace OrleansRouting.Tests.Security;

/// <summary>A CXone (or a proxy in front of it) that echoes our request must not make us pass our secrets on.</summary>
public sealed class CxoneEchoRedactionTests
{
    [Fact]
    public async Task Client_secret_echoed_by_the_token_endpoint_is_redacted_from_the_answer_and_the_session()
    {
        await using var stack = await RoutingStack.StartAsync();
        var secret = new SandboxOptions().ClientSecret;
        var sessionId = Payloads.NewSessionId();
        stack.Sandbox.State.FailNext(SandboxEndpoint.Token, 1, 400, $"invalid_request: client_id=sandbox-client&client_secret={secret}&grant_type=client_credentials");

        using var response = await stack.PostWebhookAsync(Payloads.Escalation(sessionId));
        var body = await response.Content.ReadAsStringAsync();
        var state = await stack.Session(sessionId).GetState();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("client_secret=***", body, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, state.LastError, StringComparison.Ordinal);
    }
}
