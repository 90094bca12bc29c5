using Azure.Data.Tables;
using System.Net;
using Orleans.Configuration;
using OrleansRouting.Grains;

namespace OrleansRouting.Silo;

internal static class SiloHostingExtensions
{
    /// <summary>
    /// Clustering is an explicit choice: <c>Localhost</c> (the default, a dev cluster whose silos find the primary
    /// on 127.0.0.1) or <c>AzureStorage</c> (Azure Table membership, production and Azurite).
    /// </summary>
    public static WebApplicationBuilder AddRoutingSilo(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var orleans = configuration.GetSection("Orleans");
        var siloPort = orleans.GetValue("SiloPort", 11111);
        var gatewayPort = orleans.GetValue("GatewayPort", 30000);

        builder.UseOrleans(silo =>
        {
            var clusterId = orleans["ClusterId"] ?? "orleans-routing";
            var serviceId = orleans["ServiceId"] ?? "orleans-routing";
            silo.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = clusterId;
                options.ServiceId = serviceId;
            });
            silo.Configure<SiloMessagingOptions>(options =>
                options.ResponseTimeout = orleans.GetValue("ResponseTimeout", TimeSpan.FromSeconds(15)));

            var clustering = orleans["Clustering"] ?? "Localhost";
            if (clustering.Equals("Localhost", StringComparison.OrdinalIgnoreCase))
            {
                var primary = new IPEndPoint(IPAddress.Loopback, orleans.GetValue("PrimarySiloPort", 11111));
                silo.UseLocalhostClustering(siloPort, gatewayPort, primary, serviceId, clusterId);
            }
            else if (clustering.Equals("AzureStorage", StringComparison.OrdinalIgnoreCase))
            {
                var connection = AzureStorageConnection.Require(configuration, "Orleans:Clustering=AzureStorage");
                silo.UseAzureStorageClustering(options => options.TableServiceClient = new TableServiceClient(connection));
                var advertised = IPAddress.Parse(orleans["AdvertisedIP"] ?? "127.0.0.1");
                silo.ConfigureEndpoints(advertised, siloPort, gatewayPort, listenOnAnyHostAddress: orleans.GetValue("ListenOnAnyHostAddress", false));
            }
            else
            {
                throw new InvalidOperationException($"Orleans:Clustering '{clustering}' is not supported; use Localhost or AzureStorage.");
            }

            silo.AddSessionStorage(configuration);
            silo.AddRoutingGrains();
        });
        return builder;
    }
}
