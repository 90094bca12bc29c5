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
        _recent.RemoveAll(s => s.SessionId == summary.SessionId);
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
