using Microsoft.Extensions.Logging;

namespace OrleansRouting.Grains.Routing;

/// <summary>
/// The one durable reminder a session holds: every <see cref="RoutingOptions.RecoveryReminderPeriod"/> while pending
/// (it resumes the cycle after a crash), once at the end of the dedup window when settled (it removes the state).
/// Registering it goes through the reminder service, which is briefly unreachable while a silo dies and its range
/// moves; settle-time changes are therefore retried off the caller's path.
/// </summary>
internal sealed partial class SessionReminder(Grain grain, TimeProvider time, ILogger logger)
{
    private const string Name = "session-lifecycle";
    private const int Attempts = 4;

    public Task RecoverEveryAsync(TimeSpan period) => grain.RegisterOrUpdateReminder(Name, period, period);

    /// <summary>Points the reminder at <paramref name="window"/> from now, or removes it when the window is zero.</summary>
    public async Task ExpireAfterAsync(TimeSpan window, string sessionId)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (window > TimeSpan.Zero)
                {
                    await grain.RegisterOrUpdateReminder(Name, window, window);
                }
                else
                {
                    await RemoveAsync();
                }

                return;
            }
            catch (Exception ex) when (attempt < Attempts)
            {
                LogRetry(logger, sessionId, attempt, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(attempt * 2), time);
            }
            catch (Exception ex)
            {
                // The session is settled either way; without its expiry reminder the state is removed lazily, on access.
                LogFailed(logger, sessionId, ex.Message);
                return;
            }
        }
    }

    public async Task RemoveAsync()
    {
        if (await grain.GetReminder(Name) is { } reminder)
        {
            await grain.UnregisterReminder(reminder);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rescheduling the reminder of session {SessionId} failed (attempt {Attempt}), retrying: {Reason}")]
    private static partial void LogRetry(ILogger logger, string sessionId, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not reschedule the reminder of session {SessionId}: {Reason}")]
    private static partial void LogFailed(ILogger logger, string sessionId, string reason);
}
