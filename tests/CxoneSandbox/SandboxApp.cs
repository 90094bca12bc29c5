namespace CxoneSandbox;

/// <summary>
/// The one place the sandbox web app is assembled; both <see cref="SandboxHost"/> entry points
/// (in-process for tests, command line for the run script) go through <see cref="Build"/>.
/// </summary>
internal static class SandboxApp
{
    public const string DefaultProcessUrl = "http://127.0.0.1:5080";

    /// <summary>Process mode: options, URLs and logging come from configuration (command line, env, appsettings).</summary>
    public static (WebApplication App, SandboxState State) BuildFromArgs(string[] args)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(SandboxApp).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        var options = new SandboxOptions();
        builder.Configuration.GetSection(SandboxOptions.SectionName).Bind(options);
        return Build(builder, options, HasConfiguredUrls(builder.Configuration) ? null : DefaultProcessUrl);
    }

    /// <summary>
    /// In-process mode: an empty builder, so nothing from the test process (ASPNETCORE_URLS, another
    /// project's appsettings.json in the test output folder) can change where or how the sandbox listens.
    /// </summary>
    public static (WebApplication App, SandboxState State) BuildInProcess(SandboxOptions options, string url)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(SandboxApp).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        return Build(builder, options, url);
    }

    private static (WebApplication App, SandboxState State) Build(WebApplicationBuilder builder, SandboxOptions options, string? url)
    {
        // Per-request logs would dominate benchmark runs; configuration can still lower the level.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Hung requests end on ApplicationStopping; the timeout only bounds anything else still in flight.
        builder.Services.Configure<HostOptions>(static host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));

        var state = new SandboxState(options, TimeProvider.System);
        WebApplication app = builder.Build();
        if (url is not null)
        {
            app.Urls.Clear();
            app.Urls.Add(url);
        }

        var api = new CxoneApiHandlers(state, app.Lifetime.ApplicationStopping);
        var admin = new AdminHandlers(state);
        app.MapGet("/", (RequestDelegate)AdminHandlers.DescribeAsync);
        app.MapPost("/oauth/token", (RequestDelegate)api.TokenAsync);
        app.MapGet("/api/v2/queues", (RequestDelegate)api.QueuesAsync);
        app.MapPost("/api/v2/interactions", (RequestDelegate)api.InteractionsAsync);
        app.MapGet("/_sandbox/stats", (RequestDelegate)admin.StatsAsync);
        app.MapPost("/_sandbox/reset", (RequestDelegate)admin.ResetAsync);
        app.MapPost("/_sandbox/faults", (RequestDelegate)admin.FaultsAsync);
        return (app, state);
    }

    private static bool HasConfiguredUrls(ConfigurationManager configuration) =>
        !string.IsNullOrEmpty(configuration["urls"])
        || !string.IsNullOrEmpty(configuration["http_ports"])
        || !string.IsNullOrEmpty(configuration["https_ports"])
        || configuration.GetSection("Kestrel:Endpoints").Exists();
}
