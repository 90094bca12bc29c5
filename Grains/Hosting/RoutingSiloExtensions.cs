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

        // Idle sessions leave memory soon (their state is in storage); pending ones keep themselves alive while they
        // work. Orleans only honours ages above its collection quantum, so the quantum follows the configured age.
        services.AddOptions<GrainCollectionOptions>().Configure<IOptions<RoutingOptions>>((collection, routing) =>
        {
            var lifetime = routing.Value.IdleSessionLifetime;
            collection.CollectionQuantum = TimeSpan.FromTicks(Math.Min(collection.CollectionQuantum.Ticks, lifetime.Ticks / 2));
            collection.ClassSpecificCollectionAge[typeof(SessionGrain).FullName!] = lifetime;
        });

        services.AddSingleton<IntentRouter>();
        services.AddSingleton<EscalationDispatcher>();
        services.AddSingleton<SiloTokenCache>();
        services.AddSingleton<SiloQueueCache>();
        services.AddTransient<BearerTokenHandler>();

        // HttpClient's per-request logging handlers cost more than the HTTP exchange itself on the hot path; the
        // outcomes worth logging (failures, retries, token renewals) are logged by our own code.
        services.AddHttpClient<CxoneAuthClient>(ConfigureBaseAddress).RemoveAllLoggers().AddCxoneResilience();
        services.AddHttpClient<CxoneClient>(ConfigureBaseAddress).RemoveAllLoggers().AddCxoneResilience().AddHttpMessageHandler<BearerTokenHandler>();
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
