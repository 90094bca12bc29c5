using Azure.Data.Tables;
using System.Net;
using Orleans.Configuration;
using Orleans.Dashboard;
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
        var cluster = configuration.GetSection("Cluster");

        // The health endpoint listens on loopback unless told otherwise (ASPNETCORE_URLS, --urls, Urls, Kestrel:Endpoints).
        if (string.IsNullOrEmpty(configuration["urls"]) && !configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls("http://127.0.0.1:8081");
        }

        var siloPort = cluster.GetValue("SiloPort", 11111);
        var gatewayPort = cluster.GetValue("GatewayPort", 30000);

        builder.UseOrleans(silo =>
        {
            var clusterId = cluster["ClusterId"] ?? "orleans-routing";
            var serviceId = cluster["ServiceId"] ?? "orleans-routing";
            silo.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = clusterId;
                options.ServiceId = serviceId;
            });
            silo.Configure<SiloMessagingOptions>(options =>
                options.ResponseTimeout = cluster.GetValue("ResponseTimeout", TimeSpan.FromSeconds(5)));

            // Declare a crashed silo dead in seconds, not the default ~30 s: its sessions are unreachable until then.
            silo.Services.AddOptions<ClusterMembershipOptions>()
                .Configure(options =>
                {
                    options.ProbeTimeout = TimeSpan.FromSeconds(2);
                    options.NumMissedProbesLimit = 2;
                })
                .Bind(cluster.GetSection("Liveness"));

            var membership = cluster["Membership"] ?? "Localhost";
            if (membership.Equals("Localhost", StringComparison.OrdinalIgnoreCase))
            {
                var primary = new IPEndPoint(IPAddress.Loopback, cluster.GetValue("PrimarySiloPort", 11111));
                silo.UseLocalhostClustering(siloPort, gatewayPort, primary, serviceId, clusterId);
            }
            else if (membership.Equals("AzureStorage", StringComparison.OrdinalIgnoreCase))
            {
                var connection = AzureStorageConnection.Require(configuration, "Cluster:Membership=AzureStorage");
                silo.UseAzureStorageClustering(options => options.TableServiceClient = new TableServiceClient(connection));
                var advertised = IPAddress.Parse(cluster["AdvertisedIP"] ?? "127.0.0.1");
                silo.ConfigureEndpoints(advertised, siloPort, gatewayPort, listenOnAnyHostAddress: cluster.GetValue("ListenOnAnyHostAddress", false));
            }
            else
            {
                throw new InvalidOperationException($"Cluster:Membership '{membership}' is not supported; use Localhost or AzureStorage.");
            }

            silo.AddSessionStorage(configuration);
            silo.AddRoutingGrains();

            // Every silo collects the dashboard's figures; the UI itself is served (behind auth) by the WebFront.
            silo.AddDashboard();
        });
        return builder;
    }
}
