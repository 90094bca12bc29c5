using System.Net;
using System.Net.Http.Json;
using System.Text;
using CxoneSandbox;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using OrleansRouting.Tests.Infrastructure;

namespace OrleansRouting.Tests.Security;

/// <summary>
/// A full run at Trace level (WebFront and silos) through success, duplicates,
/// wrong keys, CXone errors with long messages, a revoked token and a failing token endpoint: no log line, exception,
/// problem body or health answer holds the client secret, an API key or a bearer token.
/// </summary>
public sealed class SecretLoggingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task No_secret_appears_in_any_log_line_or_answer_during_a_full_run()
    {
        var clientSecret = $"cxone-client-secret-{Guid.NewGuid():N}";
        var answers = new StringBuilder();
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        using var recording = LogCapture.Record();

        await using (var stack = await RoutingStack.StartAsync(options =>
        {
            options.Silos = 1;
            options.Sandbox.ClientSecret = clientSecret;
            options.ConfigureCluster = cluster => cluster.AddSiloBuilderConfigurator<LogCaptureSiloConfigurator>();
            options.WebFrontSettings["Logging:LogLevel:Default"] = "Trace";
            options.WebFrontSettings["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace";
            options.WebFrontSettings["Logging:LogLevel:Orleans"] = "Trace";
            options.ConfigureWebFront = webFront => webFront.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider()));
        }))
        {
            var tokenGrain = stack.Cluster.GrainFactory.GetGrain<ITokenGrain>(0);
            var sessionId = Payloads.NewSessionId();

            await PostAsync(stack.Client, Payloads.Escalation(sessionId), HttpStatusCode.OK);
            await PostAsync(stack.Client, Payloads.Escalation(sessionId), HttpStatusCode.OK);
            tokens.Add((await tokenGrain.GetToken()).Value);

            foreach (var wrongKey in (string[])[StackOptions.ApiKey + "x", StackOptions.ApiKey.ToUpperInvariant(), "wrong-key-0123456789abcdef", $"{StackOptions.ApiKey}, {StackOptions.RotatedApiKey}"])
            {
                using var client = stack.WebFront.CreateClient();
                client.DefaultRequestHeaders.TryAddWithoutValidation("X-Api-Key", wrongKey);
                await PostAsync(client, Payloads.Escalation(), HttpStatusCode.Unauthorized);
            }

            // CXone refuses with a long message (trimmed on the way), then fails, then our token is revoked.
            stack.Sandbox.State.FailNext(SandboxEndpoint.Interactions, 1, 422, "Skill requirements not satisfiable: " + new string('x', 5000));
            await PostAsync(stack.Client, Payloads.Escalation(), HttpStatusCode.BadGateway);
            stack.Sandbox.State.FailNext(SandboxEndpoint.Interactions, 1, 503, "Service down for maintenance", TimeSpan.FromSeconds(30));
            await PostAsync(stack.Client, Payloads.Escalation(), null);
            stack.Sandbox.State.RevokeAllTokens();
            await PostAsync(stack.Client, Payloads.Escalation(), HttpStatusCode.OK);
            tokens.Add((await tokenGrain.GetToken()).Value);

            // Our token expires and the token endpoint then refuses the client credentials.
            stack.Sandbox.State.ExpireAllTokens();
            stack.Sandbox.State.FailNext(SandboxEndpoint.Token, 5, 401, "Client authentication failed");
            await PostAsync(stack.Client, Payloads.Escalation(), null);
            stack.Sandbox.State.FailNext(SandboxEndpoint.Token, 0, 401);
            await PostAsync(stack.Client, Payloads.Escalation(), HttpStatusCode.OK);
            tokens.Add((await tokenGrain.GetToken()).Value);

            using var invalid = new StringContent("""{"sessionId":"../x","user":{},"input":"x","intents":[]}""", Encoding.UTF8, "application/json");
            using var refused = await stack.Client.PostAsync("/webhook/cognigy", invalid);
            answers.AppendLine(await refused.Content.ReadAsStringAsync());
            using var ready = await stack.Client.GetAsync("/health/ready");
            answers.AppendLine(await ready.Content.ReadAsStringAsync());

            Assert.Equal(3, tokens.Count);
        }

        var lines = LogCapture.Captured.ToList();
        output.WriteLine($"{lines.Count} log lines captured");
        Assert.Contains(lines, line => line.StartsWith("OrleansRouting.Grains", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("OrleansRouting.WebFront.Security", StringComparison.Ordinal));

        // The CXone clients run without HttpClient's request logging (RemoveAllLoggers): no header of theirs is logged,
        // redacted or not. The token and queue traffic still happened, as the token count above shows.
        Assert.DoesNotContain(lines, line => line.Contains("Authorization:", StringComparison.Ordinal));

        string[] secrets = [clientSecret, StackOptions.ApiKey, StackOptions.RotatedApiKey, .. tokens];
        foreach (var secret in secrets)
        {
            var leaks = lines.Where(line => line.Contains(secret, StringComparison.Ordinal)).ToList();
            Assert.True(leaks.Count == 0, $"{leaks.Count} log line(s) contain a secret; first from: {leaks.FirstOrDefault()?.Split(' ')[0]}");
            Assert.DoesNotContain(secret, answers.ToString(), StringComparison.Ordinal);
        }

        async Task PostAsync(HttpClient client, object payload, HttpStatusCode? expected)
        {
            using var response = await client.PostAsJsonAsync("/webhook/cognigy", payload);
            var body = await response.Content.ReadAsStringAsync();
            answers.AppendLine(body).AppendLine(response.Headers.ToString());
            if (expected is { } status)
            {
                Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
            }
        }
    }
}
