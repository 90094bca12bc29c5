using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansRouting.Tests.Infrastructure;

namespace OrleansRouting.Tests.Security;

[Collection(AzuriteCollection.Name)]
public sealed class SessionIdStorageTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Ids_using_every_allowed_character_are_stored_and_read_back_from_azure_table_storage()
    {
        var serviceId = $"session-ids-{Guid.NewGuid():N}";
        var unique = Guid.NewGuid().ToString("N");
        string[] sessionIds =
        [
            // Upper and lower case letters, digits and each of - _ . : @ in one key.
            $"Cognigy-Session_v2.eu:{unique}@Tenant-09",
            // As long as the WebFront allows (Webhook:MaxSessionIdLength, 256).
            $"{unique}.{new string('x', 256 - unique.Length - 1)}",
        ];
        var interactions = new Dictionary<string, string?>();

        await using (var stack = await RoutingStack.StartAsync(Configure))
        {
            foreach (var sessionId in sessionIds)
            {
                using var response = await stack.PostWebhookAsync(Payloads.Escalation(sessionId));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                interactions[sessionId] = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cxoneInteractionId").GetString();
            }
        }

        // A new cluster reads the state only from Azure Table storage: the key round-tripped unchanged.
        await using var after = await RoutingStack.StartAsync(Configure);
        foreach (var sessionId in sessionIds)
        {
            var state = await after.Session(sessionId).GetState();
            Assert.Equal(interactions[sessionId], state.InteractionId);
            Assert.Equal(1, state.Attempts);
        }

        void Configure(StackOptions options)
        {
            options.Silos = 1;
            options.ServiceId = serviceId;
            options.UseAzureTableStorage(azurite.ConnectionString);
        }
    }
}
