using System.Collections.Frozen;
using System.Text.Json;

namespace CxoneSandbox;

/// <summary>
/// Immutable queue list snapshotted at start. Name lookups answer with pre-serialized bodies
/// because the queue endpoint is on the product's per-request hot path.
/// </summary>
internal sealed class QueueCatalog
{
    private readonly FrozenDictionary<string, byte[]> _foundBodyByName;
    private readonly FrozenSet<string> _ids;
    private readonly QueueEntity[] _ordered;

    public QueueCatalog(IReadOnlyDictionary<string, string>? queues)
    {
        _ordered = queues is null
            ? []
            : [.. queues.Where(static q => !string.IsNullOrEmpty(q.Key) && !string.IsNullOrEmpty(q.Value))
                        .Select(static q => new QueueEntity(q.Value, q.Key))];
        _foundBodyByName = _ordered.ToFrozenDictionary(
            static q => q.Name,
            static q => JsonSerializer.SerializeToUtf8Bytes(new QueuePage(1, [q]), SandboxJson.Context.QueuePage),
            StringComparer.Ordinal);
        _ids = _ordered.Select(static q => q.Id).ToFrozenSet(StringComparer.Ordinal);
        NotFoundBody = JsonSerializer.SerializeToUtf8Bytes(new QueuePage(0, []), SandboxJson.Context.QueuePage);
    }

    public byte[] NotFoundBody { get; }

    public int Count => _ordered.Length;

    public bool TryGetFoundBody(string name, out byte[] body) =>
        _foundBodyByName.TryGetValue(name, out body!);

    public bool ContainsId(string id) => _ids.Contains(id);

    public QueuePage FirstPage(int pageSize) =>
        new(_ordered.Length, _ordered.Length <= pageSize ? _ordered : _ordered[..pageSize]);
}
