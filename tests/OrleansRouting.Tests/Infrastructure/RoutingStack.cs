using System.Net.Http.Json;
using CxoneSandbox;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Orleans.Dashboard;
using Orleans.Hosting;
using Orleans.TestingHost;
using OrleansRouting.Grains;

namespace OrleansRouting.Tests.Infrastructure;

/// <summary>What a <see cref="RoutingStack"/> is built with; each test tweaks only what it is about.</summary>
public sealed class StackOptions
{
    public const string ApiKey = "test-api-key-0123456789abcdef";
    public const string RotatedApiKey = "test-api-key-rotated-fedcba9876543210";

    public short Silos { get; set; } = 2;

    /// <summary>Fixed to let a second stack read what a first one stored (Azure storage keys include it).</summary>
    public string? ServiceId { get; set; }
    public SandboxOptions Sandbox { get; } = new();

    /// <summary>Silo configuration on top of the defaults below (CXone at the sandbox, fast retries, memory storage).</summary>
    public Dictionary<string, string?> SiloSettings { get; } = new()
    {
        ["Cxone:RetryBaseDelay"] = "00:00:00.050",
        ["Cxone:AttemptTimeout"] = "00:00:02",
        ["Cxone:TotalTimeout"] = "00:00:04",
        ["Storage:Provider"] = "Memory",
    };

    /// <summary>Session state in Azure Table storage on the given Azurite.</summary>
    public void UseAzureTableStorage(string connectionString)
    {
        SiloSettings["Storage:Provider"] = "AzureTable";
        SiloSettings["AzureStorage:ConnectionString"] = connectionString;
    }

    public Dictionary<string, string?> WebFrontSettings { get; } = new()
    {
        ["Webhook:ApiKeys:0"] = ApiKey,
        ["Webhook:ApiKeys:1"] = RotatedApiKey,
    };

    /// <summary>Extra cluster wiring (e.g. a silo configurator that captures logs), applied before the build.</summary>
    public Action<TestClusterBuilder>? ConfigureCluster { get; set; }

    /// <summary>Extra WebFront host wiring (e.g. logging providers, environment), applied after the settings.</summary>
    public Action<IWebHostBuilder>? ConfigureWebFront { get; set; }
}

/// <summary>
/// The whole product on loopback: the CXone sandbox over real HTTP, a real in-process Orleans cluster
/// (TCP transport so an outside client can reach it) and the WebFront through <see cref="WebApplicationFactory{TEntryPoint}"/>.
/// </summary>
public sealed class RoutingStack : IAsyncDisposable
{
    private RoutingStack(SandboxHost sandbox, TestCluster cluster, WebFrontFactory webFront)
    {
        Sandbox = sandbox;
        Cluster = cluster;
        WebFront = webFront;
        Client = webFront.CreateClient();
        Client.DefaultRequestHeaders.Add("X-Api-Key", StackOptions.ApiKey);
    }

    public SandboxHost Sandbox { get; }
    public TestCluster Cluster { get; }
    public WebApplicationFactory<Program> WebFront { get; }

    /// <summary>Sends the primary API key.</summary>
    public HttpClient Client { get; }

    public static async Task<RoutingStack> StartAsync(Action<StackOptions>? configure = null)
    {
        var options = new StackOptions();
        configure?.Invoke(options);
        var sandbox = await SandboxHost.StartAsync(options.Sandbox);

        var siloSettings = new Dictionary<string, string?>
        {
            ["Cxone:BaseUrl"] = sandbox.BaseAddress,
            ["Cxone:ClientId"] = options.Sandbox.ClientId,
            ["Cxone:ClientSecret"] = options.Sandbox.ClientSecret,
        };
        foreach (var (key, value) in options.SiloSettings)
        {
            // Applied last so a test can override the sandbox wiring too (e.g. a wrong client secret).
            siloSettings[key] = value;
        }

        var builder = new TestClusterBuilder(options.Silos);
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        if (options.ServiceId is not null)
        {
            builder.Options.ServiceId = options.ServiceId;
        }

        builder.ConfigureHostConfiguration(configuration => configuration.AddInMemoryCollection(siloSettings));
        builder.AddSiloBuilderConfigurator<RoutingSiloConfigurator>();
        options.ConfigureCluster?.Invoke(builder);
        var cluster = builder.Build();
        await cluster.DeployAsync();

        var webFrontSettings = new Dictionary<string, string?>(options.WebFrontSettings)
        {
            ["Cluster:ClusterId"] = cluster.Options.ClusterId,
            ["Cluster:ServiceId"] = cluster.Options.ServiceId,
            ["Cluster:Membership"] = "Localhost",
        };
        var gatewayIndex = 0;
        foreach (var silo in cluster.Silos)
        {
            webFrontSettings[$"Cluster:GatewayPorts:{gatewayIndex++}"] = silo.GatewayAddress.Endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new RoutingStack(sandbox, cluster, new WebFrontFactory(webFrontSettings, options.ConfigureWebFront));
    }

    public Task<HttpResponseMessage> PostWebhookAsync(object payload) => Client.PostAsJsonAsync("/webhook/cognigy", payload);

    public ISessionGrain Session(string sessionId) => Cluster.GrainFactory.GetGrain<ISessionGrain>(sessionId);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await WebFront.DisposeAsync();
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        await Sandbox.DisposeAsync();
    }

    private sealed class WebFrontFactory(IReadOnlyDictionary<string, string?> settings, Action<IWebHostBuilder>? configure = null) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            configure?.Invoke(builder);
        }
    }
}

/// <summary>Test silos are wired exactly like production ones, minus clustering (the test host owns membership).</summary>
public sealed class RoutingSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        siloBuilder.AddSessionStorage(siloBuilder.Configuration);
        siloBuilder.AddRoutingGrains();
        siloBuilder.AddDashboard();
    }
}
