namespace OrleansRouting.Grains.Cxone;

/// <summary>
/// Per-silo copy of the queue directory: once a queue id is known, a webhook resolves it from memory
/// without a round trip to the directory grain (Orleans' scaled-out hot cache pattern).
/// </summary>
public sealed class SiloQueueCache(IGrainFactory grains, TimeProvider time)
{
    private readonly SharedFetch<string, QueueEntry> _entries = new();

    public async ValueTask<QueueEntry> ResolveAsync(string queueName)
    {
        if (_entries.TryGet(queueName, out var entry) && time.GetUtcNow() < entry.ValidUntil)
        {
            return entry;
        }

        return await _entries.Fetch(queueName, name => grains.GetGrain<IQueueDirectoryGrain>(0).Resolve(name));
    }
}
