using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansRouting.Grains.Routing;

/// <summary>Picks the top intent and the queue it maps to, exactly as the seed does.</summary>
public sealed partial class IntentRouter(IOptionsMonitor<RoutingOptions> options, ILogger<IntentRouter> logger)
{
    public RoutingDecision Decide(IReadOnlyList<IntentScore> intents)
    {
        if (intents.Count == 0)
        {
            throw new ArgumentException("No intents detected", nameof(intents));
        }

        // Python's max() keeps the first of equal maxima; so do we, so ties route as the seed routed them.
        var top = intents[0];
        for (var i = 1; i < intents.Count; i++)
        {
            if (intents[i].Confidence > top.Confidence)
            {
                top = intents[i];
            }
        }

        var current = options.CurrentValue;
        if (current.IntentQueues.TryGetValue(top.Intent, out var queue))
        {
            return new RoutingDecision(top.Intent, top.Confidence, queue, UsedFallback: false);
        }

        LogUnmappedIntent(logger, top.Intent, current.FallbackQueue);
        return new RoutingDecision(top.Intent, top.Confidence, current.FallbackQueue, UsedFallback: true);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Intent {Intent} is not mapped to a queue; using fallback queue {FallbackQueue}")]
    private static partial void LogUnmappedIntent(ILogger logger, string intent, string fallbackQueue);
}
