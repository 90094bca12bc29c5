using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.Reminders.AzureStorage;

namespace OrleansRouting.Grains;

/// <summary>
/// Where session state and the reminders that resume pending sessions live: memory for a local run, Azure Table
/// (or Blob, for state) storage in production.
/// </summary>
public static class SessionStorage
{
    public const string ProviderName = "sessions";

    public static ISiloBuilder AddSessionStorage(this ISiloBuilder silo, IConfiguration configuration)
    {
        var provider = configuration["Storage:Provider"] ?? "Memory";
        switch (provider.ToUpperInvariant())
        {
            case "MEMORY":
                // Orleans' binary serializer: a third of the CPU of the default JSON on the new-session path, and
                // smaller resident state (memory storage keeps every session in the silo).
                silo.AddMemoryGrainStorage(ProviderName, options => options.Configure<Serializer>(
                    (memory, serializer) => memory.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer)));
                silo.UseInMemoryReminderService();
                break;
            case "AZURETABLE":
                var tableConnection = AzureStorageConnection.Require(configuration, "Storage:Provider=AzureTable");
                silo.AddAzureTableGrainStorage(ProviderName, options =>
                {
                    options.TableServiceClient = new TableServiceClient(tableConnection);
                    options.TableName = configuration["Storage:TableName"] ?? "OrleansRoutingSessions";
                    options.DeleteStateOnClear = true;
                });
                silo.UseAzureTableReminderService(options => options.TableServiceClient = new TableServiceClient(tableConnection));
                break;
            case "AZUREBLOB":
                var blobConnection = AzureStorageConnection.Require(configuration, "Storage:Provider=AzureBlob");
                silo.AddAzureBlobGrainStorage(ProviderName, options =>
                {
                    options.BlobServiceClient = new BlobServiceClient(blobConnection);
                    options.ContainerName = configuration["Storage:ContainerName"] ?? "orleans-routing-sessions";
                    options.DeleteStateOnClear = true;
                });
                silo.UseAzureTableReminderService(options => options.TableServiceClient = new TableServiceClient(blobConnection));
                break;
            default:
                throw new InvalidOperationException($"Storage:Provider '{provider}' is not supported; use Memory, AzureTable or AzureBlob.");
        }

        return silo;
    }
}

public static class AzureStorageConnection
{
    public const string Key = "AzureStorage:ConnectionString";

    public static string Require(IConfiguration configuration, string requiredBy) =>
        configuration[Key] is { Length: > 0 } connection
            ? connection
            : throw new InvalidOperationException($"{Key} is required by {requiredBy} (for Azurite: UseDevelopmentStorage=true).");
}
