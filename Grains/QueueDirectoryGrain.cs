using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansRouting.Grains.Cxone;
using OrleansRouting.Grains.Routing;

namespace OrleansRouting.Grains;

/// <summary>
/// The cluster's queue name to id directory. Silos keep their own copies (<see cref="SiloQueueCache"/>),
/// so this grain sees roughly one call per queue per TTL per silo, and CXone one lookup per queue per TTL.
/// </summary>
[Reentrant]
public sealed partial class QueueDirectoryGrain(
    CxoneClient cxone, IOptionsMonitor<RoutingOptions> options, TimeProvider time, ILogger<QueueDirectoryGrain> logger)
    : Grain, IQueueDirectoryGrain
{
    private readonly SharedFetch<string, QueueEntry> _entries = new();

    public Task<QueueEntry> Resolve(string queueName) =>
        _entries.GetOrFetch(queueName, entry => time.GetUtcNow() < entry.ValidUntil, LookUpAsync).AsTask();

    private async Task<QueueEntry> LookUpAsync(string queueName)
    {
        var id = await cxone.FindQueueIdAsync(queueName);
        var settings = options.CurrentValue;
        if (id is null)
        {
            LogQueueNotFound(logger, queueName);
        }

        return new QueueEntry(queueName, id, time.GetUtcNow() + (id is null ? settings.QueueNotFoundTtl : settings.QueueCacheTtl));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "CXone has no queue named {QueueName}")]
    private static partial void LogQueueNotFound(ILogger logger, string queueName);
}
