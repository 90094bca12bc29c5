using Azure.Data.Tables;
using Orleans.Configuration;

namespace OrleansRouting.WebFront.Hosting;

internal static class ClusterClientExtensions
{
    /// <summary>
    /// The WebFront is an Orleans client. <c>Orleans:Clustering</c> picks how it finds gateways: <c>Localhost</c>
    /// (the default: <c>Orleans:GatewayPorts</c> on 127.0.0.1) or <c>AzureStorage</c> (the silos' membership table).
    /// </summary>
    public static WebApplicationBuilder AddRoutingClusterClient(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var orleans = configuration.GetSection("Orleans");
        builder.UseOrleansClient(client =>
        {
            var clusterId = orleans["ClusterId"] ?? "orleans-routing";
            var serviceId = orleans["ServiceId"] ?? "orleans-routing";
            client.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = clusterId;
                options.ServiceId = serviceId;
            });
            client.Configure<ClientMessagingOptions>(options =>
                options.ResponseTimeout = orleans.GetValue("ResponseTimeout", TimeSpan.FromSeconds(15)));

            var clustering = orleans["Clustering"] ?? "Localhost";
            if (clustering.Equals("Localhost", StringComparison.OrdinalIgnoreCase))
            {
                var ports = orleans.GetSection("GatewayPorts").Get<int[]>() is { Length: > 0 } configured ? configured : [30000];
                client.UseLocalhostClustering(ports, serviceId, clusterId);
            }
            else if (clustering.Equals("AzureStorage", StringComparison.OrdinalIgnoreCase))
            {
                var connection = configuration["AzureStorage:ConnectionString"] is { Length: > 0 } value
                    ? value
                    : throw new InvalidOperationException("AzureStorage:ConnectionString is required by Orleans:Clustering=AzureStorage.");
                client.UseAzureStorageClustering(options => options.TableServiceClient = new TableServiceClient(connection));
            }
            else
            {
                throw new InvalidOperationException($"Orleans:Clustering '{clustering}' is not supported; use Localhost or AzureStorage.");
            }
        });
        return builder;
    }
}
