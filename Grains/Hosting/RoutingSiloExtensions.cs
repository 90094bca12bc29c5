using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using OrleansRouting.Grains.Cxone;
using OrleansRouting.Grains.Routing;

namespace OrleansRouting.Grains;

public static class RoutingSiloExtensions
{
    /// <summary>Everything the routing grains need on a silo: options, the CXone clients and the per-silo caches.</summary>
    public static ISiloBuilder AddRoutingGrains(this ISiloBuilder silo)
    {
        var services = silo.Services;
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptions<CxoneOptions>().Bind(silo.Configuration.GetSection(CxoneOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CxoneOptions>, CxoneOptionsValidator>();
        services.AddOptions<RoutingOptions>().Bind(silo.Configuration.GetSection(RoutingOptions.Section)).ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<RoutingOptions>, RoutingOptionsSetup>();
        services.AddSingleton<IValidateOptions<RoutingOptions>, RoutingOptionsValidator>();

        // Orleans refuses reminder periods under a minute unless told otherwise; the recovery period is ours to choose.
        services.AddOptions<ReminderOptions>().Configure<IOptions<RoutingOptions>>((reminders, routing) =>
        {
            var shortest = new[] { reminders.MinimumReminderPeriod, routing.Value.RecoveryReminderPeriod, routing.Value.DedupWindow }
                .Where(period => period > TimeSpan.Zero)
                .Min();
            reminders.MinimumReminderPeriod = shortest;
        });

        // Idle sessions leave memory soon (their state is in storage); pending ones keep themselves alive while they work.
        services.AddOptions<GrainCollectionOptions>().Configure<IOptions<RoutingOptions>>((collection, routing) =>
            collection.ClassSpecificCollectionAge[typeof(SessionGrain).FullName!] = routing.Value.IdleSessionLifetime);

        services.AddSingleton<IntentRouter>();
        services.AddSingleton<EscalationDispatcher>();
        services.AddSingleton<SiloTokenCache>();
        services.AddSingleton<SiloQueueCache>();
        services.AddTransient<BearerTokenHandler>();

        services.AddHttpClient<CxoneAuthClient>(ConfigureBaseAddress).AddCxoneResilience();
        services.AddHttpClient<CxoneClient>(ConfigureBaseAddress).AddCxoneResilience().AddHttpMessageHandler<BearerTokenHandler>();
        return silo;
    }

    private static void ConfigureBaseAddress(IServiceProvider services, HttpClient http)
    {
        var options = services.GetRequiredService<IOptions<CxoneOptions>>().Value;
        http.BaseAddress = new Uri(options.BaseUrl.GetLeftPart(UriPartial.Authority) + "/");

        // The resilience pipeline owns timeouts; HttpClient's own 100 s default would only mask them.
        http.Timeout = Timeout.InfiniteTimeSpan;
    }
}
