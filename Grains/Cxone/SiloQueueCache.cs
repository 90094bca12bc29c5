namespace OrleansRouting.Grains.Cxone;

/// <summary>
/// Per-silo copy of the queue directory: once a queue id is known, a webhook resolves it from memory
/// without a round trip to the directory grain (Orleans' scaled-out hot cache pattern).
/// </summary>
public sealed class SiloQueueCache(IGrainFactory grains, TimeProvider time)
{
    private readonly SharedFetch<string, QueueEntry> _entries = new();

    public ValueTask<QueueEntry> ResolveAsync(string queueName) => _entries.GetOrFetch(
        queueName, entry => time.GetUtcNow() < entry.ValidUntil, name => grains.GetGrain<IQueueDirectoryGrain>(0).Resolve(name));
}
