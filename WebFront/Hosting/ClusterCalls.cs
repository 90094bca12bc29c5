using System.Diagnostics;

namespace OrleansRouting.WebFront.Hosting;

/// <summary>
/// Retries grain calls that failed in the cluster (a silo died, a gateway went away, a call timed out) within one
/// time budget, so a webhook that arrives while a silo dies waits seconds rather than failing. Only for calls that are
/// safe to repeat: the session grain deduplicates, so a retried <c>Route</c> cannot create a second interaction.
/// </summary>
public sealed partial class ClusterCalls(IConfiguration configuration, ILogger<ClusterCalls> logger)
{
    private readonly TimeSpan _budget = configuration.GetValue("Cluster:CallBudget", TimeSpan.FromSeconds(7.5));
    private readonly TimeSpan _pause = configuration.GetValue("Cluster:CallRetryDelay", TimeSpan.FromMilliseconds(250));

    public async Task<T> InvokeAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (ex is TimeoutException or OrleansException && clock.Elapsed + _pause < _budget)
            {
                LogRetrying(logger, attempt, clock.Elapsed.TotalMilliseconds, ex.GetType().Name);
                await Task.Delay(_pause, cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain call attempt {Attempt} failed after {ElapsedMs:0} ms ({Error}); retrying")]
    private static partial void LogRetrying(ILogger logger, int attempt, double elapsedMs, string error);
}
