using Azure.Data.Tables;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace OrleansRouting.WebFront.Hosting;

internal static class ClusterClientExtensions
{
    /// <summary>
    /// The WebFront is an Orleans client. <c>Cluster:Membership</c> picks how it finds gateways: <c>Localhost</c>
    /// (the default: <c>Cluster:GatewayPorts</c> on 127.0.0.1) or <c>AzureStorage</c> (the silos' membership table).
    /// </summary>
    public static WebApplicationBuilder AddRoutingClusterClient(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var cluster = configuration.GetSection("Cluster");

        builder.UseOrleansClient(client =>
        {
            var clusterId = cluster["ClusterId"] ?? "orleans-routing";
            var serviceId = cluster["ServiceId"] ?? "orleans-routing";
            client.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = clusterId;
                options.ServiceId = serviceId;
            });
            client.Configure<ClientMessagingOptions>(options =>
                options.ResponseTimeout = cluster.GetValue("ResponseTimeout", TimeSpan.FromSeconds(5)));

            if (Operations.Dashboard.IsEnabled(configuration))
            {
                client.AddDashboard();
            }

            var membership = cluster["Membership"] ?? "Localhost";
            if (membership.Equals("Localhost", StringComparison.OrdinalIgnoreCase))
            {
                var ports = cluster.GetSection("GatewayPorts").Get<int[]>() is { Length: > 0 } configured ? configured : [30000];
                client.UseLocalhostClustering(ports, serviceId, clusterId);
            }
            else if (membership.Equals("AzureStorage", StringComparison.OrdinalIgnoreCase))
            {
                var connection = configuration["AzureStorage:ConnectionString"] is { Length: > 0 } value
                    ? value
                    : throw new InvalidOperationException("AzureStorage:ConnectionString is required by Cluster:Membership=AzureStorage.");
                client.UseAzureStorageClustering(options => options.TableServiceClient = new TableServiceClient(connection));
            }
            else
            {
                throw new InvalidOperationException($"Cluster:Membership '{membership}' is not supported; use Localhost or AzureStorage.");
            }
        });
        builder.Services.AddSingleton<ClusterCalls>();
        return builder;
    }
}
