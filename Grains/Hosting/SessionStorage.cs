using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Orleans.Hosting;

namespace OrleansRouting.Grains;

/// <summary>Where session state lives: memory for a local run, Azure Table or Blob storage in production.</summary>
public static class SessionStorage
{
    public const string ProviderName = "sessions";

    public static ISiloBuilder AddSessionStorage(this ISiloBuilder silo, IConfiguration configuration)
    {
        var provider = configuration["Storage:Provider"] ?? "Memory";
        switch (provider.ToUpperInvariant())
        {
            case "MEMORY":
                silo.AddMemoryGrainStorage(ProviderName);
                break;
            case "AZURETABLE":
                var tableConnection = AzureStorageConnection.Require(configuration, "Storage:Provider=AzureTable");
                silo.AddAzureTableGrainStorage(ProviderName, options =>
                {
                    options.TableServiceClient = new TableServiceClient(tableConnection);
                    options.TableName = configuration["Storage:TableName"] ?? "OrleansRoutingSessions";
                });
                break;
            case "AZUREBLOB":
                var blobConnection = AzureStorageConnection.Require(configuration, "Storage:Provider=AzureBlob");
                silo.AddAzureBlobGrainStorage(ProviderName, options =>
                {
                    options.BlobServiceClient = new BlobServiceClient(blobConnection);
                    options.ContainerName = configuration["Storage:ContainerName"] ?? "orleans-routing-sessions";
                });
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
