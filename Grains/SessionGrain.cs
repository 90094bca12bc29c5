using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansRouting.Grains.Routing;

namespace OrleansRouting.Grains;

/// <summary>
/// One Cognigy session. Not reentrant on purpose: concurrent duplicates queue behind the first call, so
/// "check for an interaction or a running attempt, else start one" is atomic without locks. An attempt cycle runs
/// as a background task of the activation: the webhook waits for it only up to <see cref="RoutingOptions.AnswerBudget"/>,
/// then is answered "pending" while the cycle retries; a reminder resumes the cycle if the silo dies.
/// </summary>
public sealed partial class SessionGrain(
    [PersistentState("session", SessionStorage.ProviderName)] IPersistentState<SessionState> session,
    IntentRouter router,
    EscalationDispatcher dispatcher,
    IOptionsMonitor<RoutingOptions> options,
    TimeProvider time,
    ILogger<SessionGrain> logger) : Grain, ISessionGrain, IRemindable
{
    private const string RecoveryReminder = "resume-routing";
    private Task<RoutingResult>? _cycle;
    private bool _unsaved;

    private SessionState State => session.State;

    private string SessionId => this.GetPrimaryKeyString();

    public Task<SessionState> GetState() => Task.FromResult(State);

    public async Task<RoutingResult> Route(Escalation escalation)
    {
        if (State.IsRouted)
        {
            if (_unsaved)
            {
                await SaveAsync();
            }

            return Result(RoutingStatus.Routed, duplicate: true);
        }

        if (_cycle is { IsCompleted: false })
        {
            return Result(RoutingStatus.Pending);
        }

        if (State.Status != SessionStatus.Pending || State.Escalation is null)
        {
            StartCycle(escalation);
        }

        _cycle = RunCycleAsync();
        try
        {
            return await _cycle.WaitAsync(options.CurrentValue.AnswerBudget);
        }
        catch (TimeoutException)
        {
            return Result(RoutingStatus.Pending);
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (State.Status != SessionStatus.Pending || State.Escalation is null)
        {
            return StopRecoveryAsync();
        }

        if (_cycle is not { IsCompleted: false })
        {
            // After a crash: nobody is waiting, the cycle just resumes from the persisted escalation.
            LogResuming(logger, SessionId, State.CreateStartedAt is not null);
            _cycle = RunCycleAsync();
        }

        return Task.CompletedTask;
    }

    private void StartCycle(Escalation escalation)
    {
        var decision = router.Decide(escalation.Intents);
        var now = time.GetUtcNow();
        State.Escalation = escalation;
        State.FirstSeenAt ??= now;
        State.GiveUpAt = now + options.CurrentValue.GiveUpAfter;
        State.Intent = decision.Intent;
        State.Confidence = decision.Confidence;
        State.QueueName = decision.QueueName;
        State.UsedFallback = decision.UsedFallback;
        State.FailureStatus = null;
    }

    private async Task<RoutingResult> RunCycleAsync()
    {
        var escalation = State.Escalation!;
        var decision = Decision();
        while (true)
        {
            State.Attempts++;
            State.LastAttemptAt = time.GetUtcNow();
            State.NextAttemptAt = null;
            try
            {
                var queueId = await dispatcher.ResolveQueueAsync(decision.QueueName);
                if (queueId is null)
                {
                    return await FailAsync(RoutingStatus.QueueNotFound, $"Queue '{decision.QueueName}' was not found in CXone", null);
                }

                State.QueueId = queueId;
                State.Status = SessionStatus.Pending;
                State.CreateStartedAt = time.GetUtcNow();
                await SaveAsync();

                State.InteractionId = await dispatcher.CreateInteractionAsync(escalation, decision, queueId);
                State.Status = SessionStatus.Routed;
                State.RoutedAt = time.GetUtcNow();
                State.CreateStartedAt = null;
                State.LastError = null;
                State.LastCxoneStatus = null;
                LogRouted(logger, SessionId, decision.QueueName, State.InteractionId);
                await SaveAsync();
                await StopRecoveryAsync();
                return Result(RoutingStatus.Routed);
            }
            catch (CxoneException ex) when (ex.Kind != CxoneFailureKind.Rejected && options.CurrentValue.RetryInBackground)
            {
                State.LastError = ex.Message;
                State.LastCxoneStatus = ex.Status;
                var delay = RetryDelay.Next(State.Attempts, ex.RetryAfter, options.CurrentValue);
                if (time.GetUtcNow() + delay > State.GiveUpAt)
                {
                    return await FailAsync(StatusOf(ex), $"Gave up after {State.Attempts} attempts: {ex.Message}", ex);
                }

                State.Status = SessionStatus.Pending;
                State.NextAttemptAt = time.GetUtcNow() + delay;
                LogRetryScheduled(logger, SessionId, delay.TotalSeconds, ex.Message);
                await EnsureRecoveryAsync();
                await SaveAsync();
                await Task.Delay(delay, time);
            }
            catch (CxoneException ex)
            {
                return await FailAsync(StatusOf(ex), ex.Message, ex);
            }
        }
    }

    private async Task<RoutingResult> FailAsync(RoutingStatus status, string message, CxoneException? cause)
    {
        State.Status = SessionStatus.Failed;
        State.FailureStatus = status;
        State.LastError = message;
        State.LastCxoneStatus = cause?.Status;
        State.NextAttemptAt = null;
        State.CreateStartedAt = null;
        LogAttemptFailed(logger, SessionId, status, message);
        await SaveAsync();
        await StopRecoveryAsync();
        return Result(status, error: new RoutingError(message, cause?.Status, cause?.RetryAfter));
    }

    /// <summary>
    /// A failed write after a successful create leaves the interaction in memory; it is written again on the
    /// next call, and the caller (told to retry) gets the same interaction back.
    /// </summary>
    private async Task SaveAsync()
    {
        _unsaved = true;
        await session.WriteStateAsync();
        _unsaved = false;
    }

    private async Task EnsureRecoveryAsync()
    {
        if (!State.RecoveryScheduled)
        {
            var period = options.CurrentValue.RecoveryReminderPeriod;
            await this.RegisterOrUpdateReminder(RecoveryReminder, period, period);
            State.RecoveryScheduled = true;
        }
    }

    private async Task StopRecoveryAsync()
    {
        if (State.RecoveryScheduled && await this.GetReminder(RecoveryReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        if (State.RecoveryScheduled)
        {
            State.RecoveryScheduled = false;
            await SaveAsync();
        }
    }

    private static RoutingStatus StatusOf(CxoneException ex) => ex.Kind switch
    {
        CxoneFailureKind.Rejected => RoutingStatus.CxoneRejected,
        CxoneFailureKind.Timeout => RoutingStatus.CxoneTimeout,
        _ => RoutingStatus.CxoneUnavailable,
    };

    private RoutingDecision Decision() => new(State.Intent ?? "", State.Confidence, State.QueueName ?? "", State.UsedFallback);

    private RoutingResult Result(RoutingStatus status, bool duplicate = false, RoutingError? error = null)
    {
        error ??= State.LastError is { } last && status != RoutingStatus.Routed ? new RoutingError(last, State.LastCxoneStatus, null) : null;
        return new(status, Decision(), State.QueueId, State.InteractionId, duplicate, error, State.Attempts, State.NextAttemptAt);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Routed session {SessionId} to {QueueName} as interaction {InteractionId}")]
    private static partial void LogRouted(ILogger logger, string sessionId, string queueName, string interactionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Routing session {SessionId} failed with {Status}: {Reason}")]
    private static partial void LogAttemptFailed(ILogger logger, string sessionId, RoutingStatus status, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Routing session {SessionId} will retry in {DelaySeconds:0.0} s: {Reason}")]
    private static partial void LogRetryScheduled(ILogger logger, string sessionId, double delaySeconds, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming pending session {SessionId} (create was in flight: {CreateInFlight})")]
    private static partial void LogResuming(ILogger logger, string sessionId, bool createInFlight);
}
