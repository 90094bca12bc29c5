using CxoneSandbox;
using OrleansRouting.Tests.Infrastructure;

namespace OrleansRouting.Tests.Campaign;

/// <summary>
/// The fault scenarios. Each asserts the two promises (no duplicate interaction, no lost escalation) and that
/// every webhook was answered within Cognigy's 8 s timeout; `./campaign.sh` prints the rows as one table.
/// </summary>
[Trait("Category", "FaultCampaign")]
[Collection(AzuriteCollection.Name)]
public sealed class FaultCampaignTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private static readonly TimeSpan CognigyTimeout = TimeSpan.FromSeconds(8);

    public static TheoryData<string> Scenarios =>
    [
        "20% 503 on create",
        "429 with Retry-After: 1",
        "429 without Retry-After",
        "create hangs",
        "token endpoint down",
        "token revoked mid-run",
        "CXone down then back",
        "succeed but drop the response",
    ];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Scenario_keeps_every_escalation_exactly_once(string scenario)
    {
        await using var stack = await RoutingStack.StartAsync(FaultCampaign.Configure);
        var outage = TimeSpan.FromSeconds(10 * FaultCampaign.Scale);

        var row = await FaultCampaign.RunAsync(stack, scenario, async sandbox =>
        {
            switch (scenario)
            {
                case "20% 503 on create":
                    sandbox.SetErrorRate(SandboxEndpoint.Interactions, 0.2, 503);
                    break;
                case "429 with Retry-After: 1":
                    sandbox.SetErrorRate(SandboxEndpoint.Interactions, 0.3, 429, TimeSpan.FromSeconds(1));
                    break;
                case "429 without Retry-After":
                    sandbox.SetErrorRate(SandboxEndpoint.Interactions, 0.3, 429);
                    break;
                case "create hangs":
                    sandbox.SetHangRate(SandboxEndpoint.Interactions, 0.2);
                    break;
                case "token endpoint down":
                    sandbox.FailFor(SandboxEndpoint.Token, outage, 503);
                    sandbox.RevokeAllTokens();
                    break;
                case "token revoked mid-run":
                    await Task.Delay(TimeSpan.FromSeconds(2));
                    sandbox.RevokeAllTokens();
                    break;
                case "CXone down then back":
                    sandbox.FailFor(SandboxEndpoint.Token, outage * 3, 503);
                    sandbox.FailFor(SandboxEndpoint.Queues, outage * 3, 503);
                    sandbox.FailFor(SandboxEndpoint.Interactions, outage * 3, 503);
                    break;
                case "succeed but drop the response":
                    sandbox.SetDropResponseRate(SandboxEndpoint.Interactions, 0.3);
                    break;
            }
        });

        FaultCampaign.Record(row, output);
        AssertPromisesKept(row);
    }

    [Fact]
    public async Task Silo_killed_while_sessions_are_pending_keeps_every_escalation_exactly_once()
    {
        await using var stack = await RoutingStack.StartAsync(options =>
        {
            FaultCampaign.Configure(options);
            options.UseAzureTableStorage(azurite.ConnectionString);
        });
        var outage = TimeSpan.FromSeconds(8 * FaultCampaign.Scale);

        var row = await FaultCampaign.RunAsync(
            stack,
            "silo killed while pending (Azurite)",
            sandbox =>
            {
                sandbox.FailFor(SandboxEndpoint.Interactions, outage, 503);
                return Task.CompletedTask;
            },
            during: () => stack.Cluster.KillSiloAsync(stack.Cluster.SecondarySilos[0]));

        FaultCampaign.Record(row, output);
        AssertPromisesKept(row);
    }

    private static void AssertPromisesKept(CampaignRow row)
    {
        Assert.Equal(0, row.SessionsWithDuplicates);
        Assert.Equal(0, row.Lost);
        Assert.Equal(row.Sessions, row.FinalSuccess + row.FinalFailure);
        Assert.True(row.Max < CognigyTimeout, $"slowest answer {row.Max.TotalMilliseconds:0} ms");
    }
}
