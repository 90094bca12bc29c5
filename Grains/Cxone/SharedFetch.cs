using System.Collections.Concurrent;

namespace OrleansRouting.Grains.Cxone;

/// <summary>
/// A keyed cache in which concurrent misses for one key share a single fetch (GPSTracker's one-flush-task idea):
/// a burst of webhooks for a cold queue or an expiring token costs one upstream call, not one per webhook.
/// Thread-safe, so it serves both per-silo caches and (single-threaded) grains.
/// </summary>
internal sealed class SharedFetch<TKey, TValue>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _values = new();
    private readonly ConcurrentDictionary<TKey, Task<TValue>> _inFlight = new();

    public bool TryGet(TKey key, out TValue value) => _values.TryGetValue(key, out value!);

    public void Remove(TKey key, TValue expected) => _values.TryRemove(KeyValuePair.Create(key, expected));

    /// <summary>The cached value while <paramref name="isFresh"/> holds, otherwise the (shared) result of a fetch.</summary>
    public ValueTask<TValue> GetOrFetch(TKey key, Func<TValue, bool> isFresh, Func<TKey, Task<TValue>> fetch) =>
        TryGet(key, out var value) && isFresh(value) ? ValueTask.FromResult(value) : new ValueTask<TValue>(Fetch(key, fetch));

    /// <summary>Starts a fetch for <paramref name="key"/> unless one is already running, and returns the running one.</summary>
    public Task<TValue> Fetch(TKey key, Func<TKey, Task<TValue>> fetch)
    {
        if (_inFlight.TryGetValue(key, out var running))
        {
            return running;
        }

        var completion = new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously);
        running = _inFlight.GetOrAdd(key, completion.Task);
        if (running != completion.Task)
        {
            return running;
        }

        _ = RunAsync(key, fetch, completion);
        return completion.Task;
    }

    private async Task RunAsync(TKey key, Func<TKey, Task<TValue>> fetch, TaskCompletionSource<TValue> completion)
    {
        try
        {
            var value = await fetch(key);
            _values[key] = value;
            _inFlight.TryRemove(KeyValuePair.Create(key, completion.Task));
            completion.SetResult(value);
        }
        catch (Exception ex)
        {
            _inFlight.TryRemove(KeyValuePair.Create(key, completion.Task));
            completion.SetException(ex);
        }
    }
}
