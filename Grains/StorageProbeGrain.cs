namespace OrleansRouting.Grains;

/// <summary>Reads a tiny record through the session storage provider, so readiness reflects storage reachability.</summary>
public sealed class StorageProbeGrain(
    [PersistentState("probe", SessionStorage.ProviderName)] IPersistentState<StorageProbeState> probe) : Grain, IStorageProbeGrain
{
    public Task Probe() => probe.ReadStateAsync();
}

[GenerateSerializer, Alias("OrleansRouting.StorageProbeState")]
public sealed class StorageProbeState
{
    [Id(0)] public DateTimeOffset? LastWrite { get; set; }
}
