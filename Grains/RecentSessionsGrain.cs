namespace OrleansRouting.Grains;

/// <summary>
/// A bounded, newest-first list of session changes, kept in memory for as long as its silo runs: an operator's
/// "what just happened" view, not a record (each session's own state is the record).
/// </summary>
public sealed class RecentSessionsGrain : Grain, IRecentSessionsGrain
{
    private const int Capacity = 128;
    private readonly List<SessionSummary> _recent = new(Capacity + 1);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Nothing is persisted, so idle collection would simply forget; keep the list until the silo stops.
        DelayDeactivation(TimeSpan.FromDays(3650));
        return Task.CompletedTask;
    }

    public Task Record(SessionSummary summary)
    {
        // One-way messages may overtake each other: a session's "pending" report must not replace its "routed" one.
        var existing = _recent.FindIndex(s => s.SessionId == summary.SessionId);
        if (existing >= 0 && _recent[existing].UpdatedAt > summary.UpdatedAt)
        {
            return Task.CompletedTask;
        }

        if (existing >= 0)
        {
            _recent.RemoveAt(existing);
        }

        _recent.Add(summary);
        if (_recent.Count > Capacity)
        {
            _recent.RemoveAt(0);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SessionSummary>> List(int max) =>
        Task.FromResult<IReadOnlyList<SessionSummary>>([.. Enumerable.Reverse(_recent).Take(max)]);
}
