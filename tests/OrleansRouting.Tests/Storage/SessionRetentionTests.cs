using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using OrleansRouting.Tests.Infrastructure;

namespace OrleansRouting.Tests.Storage;

[Collection(AzuriteCollection.Name)]
public sealed class SessionRetentionTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Settled_session_is_removed_from_storage_after_the_dedup_window()
    {
        var table = $"Retention{Guid.NewGuid():N}"[..30];
        await using var stack = await RoutingStack.StartAsync(options =>
        {
            options.UseAzureTableStorage(azurite.ConnectionString);
            options.SiloSettings["Storage:TableName"] = table;
            options.SiloSettings["Routing:DedupWindow"] = "00:00:03";
            options.SiloSettings["Routing:RecoveryReminderPeriod"] = "00:00:02";
        });
        var sessionId = Payloads.NewSessionId();
        using var first = await stack.PostWebhookAsync(Payloads.Escalation(sessionId));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(1, await StoredRowsMentioningAsync(table, sessionId));

        using (var withinWindow = await stack.PostWebhookAsync(Payloads.Escalation(sessionId)))
        {
            Assert.True((await withinWindow.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("duplicate").GetBoolean());
        }

        // The reminder removes the row without anyone calling the session again.
        await Eventually.TrueAsync(async () => await StoredRowsMentioningAsync(table, sessionId) == 0, TimeSpan.FromSeconds(30));

        using var afterWindow = await stack.PostWebhookAsync(Payloads.Escalation(sessionId));
        Assert.Equal(HttpStatusCode.OK, afterWindow.StatusCode);
        Assert.False((await afterWindow.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("duplicate").GetBoolean());
        // Forgotten means asked again: CXone sees a second create (ours sends the same Idempotency-Key; whether CXone
        // still honours it a window later is up to CXone).
        Assert.Equal(2, stack.Sandbox.State.RequestCount(CxoneSandbox.SandboxEndpoint.Interactions));
    }

    [Fact]
    public async Task Settled_session_within_the_window_is_kept()
    {
        await using var stack = await RoutingStack.StartAsync(options => options.UseAzureTableStorage(azurite.ConnectionString));
        var sessionId = Payloads.NewSessionId();
        using var first = await stack.PostWebhookAsync(Payloads.Escalation(sessionId));

        var state = await stack.Session(sessionId).GetState();

        Assert.Equal(SessionStatus.Routed, state.Status);
        Assert.True(state.ReminderScheduled);
    }

    private async Task<int> StoredRowsMentioningAsync(string table, string sessionId)
    {
        var client = new TableServiceClient(azurite.ConnectionString).GetTableClient(table);
        var count = 0;
        await foreach (var entity in client.QueryAsync<TableEntity>())
        {
            if (entity.PartitionKey.Contains(sessionId, StringComparison.Ordinal) || entity.RowKey.Contains(sessionId, StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }
}
