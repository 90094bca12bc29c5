using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansRouting.Grains.Routing;

namespace OrleansRouting.Grains;

/// <summary>
/// One Cognigy session. Not reentrant on purpose: concurrent duplicates queue behind the first call, so
/// "check for an interaction or a running cycle, else start one" is atomic without locks. A routing cycle runs as a
/// background task of the activation: the webhook waits for it only up to <see cref="RoutingOptions.AnswerBudget"/>,
/// then is answered "pending" while the cycle retries; a durable reminder resumes the cycle if the silo dies, and
/// removes the state once the dedup window has passed.
/// </summary>
public sealed partial class SessionGrain(
    [PersistentState("session", SessionStorage.ProviderName)] IPersistentState<SessionState> session,
    IntentRouter router,
    EscalationDispatcher dispatcher,
    IOptionsMonitor<RoutingOptions> options,
    TimeProvider time,
    ILogger<SessionGrain> logger) : Grain, ISessionGrain, IRemindable
{
    private Task<RoutingResult>? _cycle;
    private int _cycleAttempts;
    private SessionReminder? _reminder;
    private bool _unsaved;

    private SessionReminder Reminder => _reminder ??= new SessionReminder(this, time, logger);

    private SessionState State => session.State;

    private string SessionId => this.GetPrimaryKeyString();

    private RoutingOptions Options => options.CurrentValue;

    public Task<SessionState> GetState() => Task.FromResult(IsExpired ? new SessionState() : State);

    public async Task<RoutingResult> Route(Escalation escalation)
    {
        if (IsExpired)
        {
            await ForgetAsync();
        }

        if (State.IsRouted)
        {
            if (_unsaved)
            {
                await SaveAsync();
            }

            return State.ToResult(RoutingStatus.Routed, duplicate: true);
        }

        if (_cycle is { IsCompleted: false })
        {
            return State.ToResult(RoutingStatus.Pending);
        }

        if (State.Status != SessionStatus.Pending || State.Escalation is null)
        {
            State.BeginCycle(escalation, router.Decide(escalation.Intents), time.GetUtcNow(), Options.GiveUpAfter);
        }

        _cycle = RunCycleAsync();
        try
        {
            return await _cycle.WaitAsync(Options.AnswerBudget);
        }
        catch (TimeoutException)
        {
            return State.ToResult(RoutingStatus.Pending);
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (State.Status == SessionStatus.Pending && State.Escalation is not null)
        {
            if (_cycle is not { IsCompleted: false })
            {
                // After a crash: nobody is waiting, the cycle resumes from the persisted escalation.
                LogResuming(logger, SessionId, State.CreateStartedAt is not null);
                _cycle = RunCycleAsync();
            }
        }
        else if (IsExpired || State.Status == SessionStatus.New)
        {
            await ForgetAsync();
            DeactivateOnIdle();
        }
    }

    private bool IsExpired =>
        Options.DedupWindow > TimeSpan.Zero && State.SettledAt is { } settled && time.GetUtcNow() >= settled + Options.DedupWindow;

    private async Task<RoutingResult> RunCycleAsync()
    {
        var escalation = State.Escalation!;
        var decision = State.ToDecision();

        // Idle collection must not end a cycle that is sleeping between retries (the reminder would resume it, later).
        DelayDeactivation(Options.GiveUpAfter);
        _cycleAttempts = 0;
        try
        {
            return await AttemptUntilSettledAsync(escalation, decision);
        }
        catch (Exception ex) when (ex is not CxoneException)
        {
            // Storage or reminder service trouble: nothing is settled; the caller may retry (it resumes the pending
            // cycle), and a registered recovery reminder resumes it otherwise.
            LogCycleInterrupted(logger, ex, SessionId);
            return State.ToResult(RoutingStatus.CxoneUnavailable, error: new RoutingError("The session could not be saved; retrying is safe", null, null));
        }
        finally
        {
            // Settled: ordinary idle collection again (a non-positive delay clears the one above).
            DelayDeactivation(TimeSpan.Zero);
        }
    }

    private async Task<RoutingResult> AttemptUntilSettledAsync(Escalation escalation, RoutingDecision decision)
    {
        while (true)
        {
            State.BeginAttempt(time.GetUtcNow());
            _cycleAttempts++;
            try
            {
                var queueId = await dispatcher.ResolveQueueAsync(decision.QueueName);
                if (queueId is null)
                {
                    return await SettleFailedAsync(RoutingStatus.QueueNotFound, $"Queue '{decision.QueueName}' was not found in CXone", null);
                }

                // Recorded durably before CXone can act: after a crash this says the create may have happened, and
                // the retry carries the same Idempotency-Key so CXone replays it instead of creating another.
                State.BeginCreate(queueId, time.GetUtcNow());
                await SaveAsync(report: false);

                var interactionId = await dispatcher.CreateInteractionAsync(escalation, decision, queueId);
                State.Routed(interactionId, time.GetUtcNow());
                LogRouted(logger, SessionId, decision.QueueName, interactionId);
                await SettleAsync();
                return State.ToResult(RoutingStatus.Routed);
            }
            catch (CxoneException ex) when (ex.Kind != CxoneFailureKind.Rejected && Options.RetryInBackground)
            {
                var delay = RetryDelay.Next(_cycleAttempts, ex.RetryAfter, Options);
                if (time.GetUtcNow() + delay > State.GiveUpAt)
                {
                    return await SettleFailedAsync(ex.ToRoutingStatus(), $"Gave up after {_cycleAttempts} attempts: {ex.Message}", ex);
                }

                State.RetryAt(time.GetUtcNow() + delay, ex);
                LogRetryScheduled(logger, SessionId, delay.TotalSeconds, ex.Message);
                if (!State.ReminderScheduled)
                {
                    await Reminder.RecoverEveryAsync(Options.RecoveryReminderPeriod);
                    State.ReminderScheduled = true;
                }

                await SaveAsync();
                await Task.Delay(delay, time);
            }
            catch (CxoneException ex)
            {
                return await SettleFailedAsync(ex.ToRoutingStatus(), ex.Message, ex);
            }
        }
    }

    private async Task<RoutingResult> SettleFailedAsync(RoutingStatus status, string message, CxoneException? cause)
    {
        State.Failed(status, message, cause?.Status);
        LogAttemptFailed(logger, SessionId, status, message);
        await SettleAsync();
        return State.ToResult(status, error: new RoutingError(message, cause?.Status, cause?.RetryAfter));
    }

    /// <summary>
    /// Writes the settled state, then (off the caller's path) points the session's reminder at the end of the dedup
    /// window, replacing a pending session's recovery period; without a window the reminder is removed.
    /// </summary>
    private async Task SettleAsync()
    {
        var window = Options.DedupWindow;
        var hadReminder = State.ReminderScheduled;
        State.ReminderScheduled = window > TimeSpan.Zero;
        await SaveAsync();
        if (State.ReminderScheduled || hadReminder)
        {
            _ = Reminder.ExpireAfterAsync(window, SessionId);
        }
    }

    /// <summary>The dedup window has passed: the session is forgotten and a new webhook for it starts afresh.</summary>
    private async Task ForgetAsync()
    {
        if (State.ReminderScheduled)
        {
            await Reminder.RemoveAsync();
        }

        await session.ClearStateAsync();
        _unsaved = false;
        LogForgotten(logger, SessionId);
    }

    /// <summary>
    /// A failed write after a successful create leaves the interaction in memory; it is written again on the
    /// next call, and the caller (told to retry) gets the same interaction back. Operators' recent list hears of
    /// every saved change except the transient in-flight marker (<paramref name="report"/> false).
    /// </summary>
    private async Task SaveAsync(bool report = true)
    {
        _unsaved = true;
        await session.WriteStateAsync();
        _unsaved = false;
        if (report)
        {
            GrainFactory.GetGrain<IRecentSessionsGrain>(RecentSessions.ShardOf(SessionId)).Record(State.ToSummary(SessionId, time.GetUtcNow())).Ignore();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Routed session {SessionId} to {QueueName} as interaction {InteractionId}")]
    private static partial void LogRouted(ILogger logger, string sessionId, string queueName, string interactionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Routing session {SessionId} failed with {Status}: {Reason}")]
    private static partial void LogAttemptFailed(ILogger logger, string sessionId, RoutingStatus status, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Routing session {SessionId} will retry in {DelaySeconds:0.0} s: {Reason}")]
    private static partial void LogRetryScheduled(ILogger logger, string sessionId, double delaySeconds, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming pending session {SessionId} (create was in flight: {CreateInFlight})")]
    private static partial void LogResuming(ILogger logger, string sessionId, bool createInFlight);

    [LoggerMessage(Level = LogLevel.Error, Message = "Routing cycle of session {SessionId} was interrupted")]
    private static partial void LogCycleInterrupted(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} passed its dedup window; state removed")]
    private static partial void LogForgotten(ILogger logger, string sessionId);
}
