using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansRouting.Grains.Cxone;
using OrleansRouting.Grains.Routing;

namespace OrleansRouting.Grains;

/// <summary>
/// One Cognigy session. Not reentrant on purpose: concurrent duplicates queue behind the first call, so
/// "check for a stored interaction, else create one and record it" is atomic without locks.
/// </summary>
public sealed partial class SessionGrain(
    [PersistentState("session", SessionStorage.ProviderName)] IPersistentState<SessionState> session,
    IntentRouter router,
    SiloQueueCache queues,
    CxoneClient cxone,
    IOptionsMonitor<RoutingOptions> options,
    TimeProvider time,
    ILogger<SessionGrain> logger) : Grain, ISessionGrain
{
    private bool _unsaved;

    private string SessionId => this.GetPrimaryKeyString();

    public Task<SessionState> GetState() => Task.FromResult(session.State);

    public async Task<RoutingResult> Route(Escalation escalation)
    {
        var state = session.State;
        if (state.IsRouted)
        {
            if (_unsaved)
            {
                await SaveAsync();
            }

            return Result(RoutingStatus.Routed, Decision(state), duplicate: true);
        }

        var decision = router.Decide(escalation.Intents);
        var now = time.GetUtcNow();
        state.FirstSeenAt ??= now;
        state.LastAttemptAt = now;
        state.Attempts++;
        state.Intent = decision.Intent;
        state.Confidence = decision.Confidence;
        state.QueueName = decision.QueueName;
        state.UsedFallback = decision.UsedFallback;

        try
        {
            var queue = await queues.ResolveAsync(decision.QueueName);
            if (queue.QueueId is null)
            {
                return await FailAsync(RoutingStatus.QueueNotFound, decision, new RoutingError($"Queue '{decision.QueueName}' was not found in CXone", null, null));
            }

            state.QueueId = queue.QueueId;
            var interactionId = await cxone.CreateInteractionAsync(BuildInteraction(escalation, decision, queue.QueueId), SessionId);
            state.InteractionId = interactionId;
            state.RoutedAt = time.GetUtcNow();
            state.LastError = null;
            state.LastCxoneStatus = null;
            LogRouted(logger, escalation.SessionId, decision.QueueName, interactionId);
            await SaveAsync();
            return Result(RoutingStatus.Routed, decision, duplicate: false);
        }
        catch (CxoneException ex)
        {
            var status = ex.Kind switch
            {
                CxoneFailureKind.Rejected => RoutingStatus.CxoneRejected,
                CxoneFailureKind.Timeout => RoutingStatus.CxoneTimeout,
                _ => RoutingStatus.CxoneUnavailable,
            };
            return await FailAsync(status, decision, new RoutingError(ex.Message, ex.Status, ex.RetryAfter));
        }
    }

    private async Task<RoutingResult> FailAsync(RoutingStatus status, RoutingDecision decision, RoutingError error)
    {
        session.State.LastError = error.Message;
        session.State.LastCxoneStatus = error.CxoneStatus;
        LogAttemptFailed(logger, SessionId, status, error.Message);
        await SaveAsync();
        return Result(status, decision, duplicate: false, error);
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

    private InteractionRequest BuildInteraction(Escalation escalation, RoutingDecision decision, string queueId) => new(
        Type: "chat",
        InitiationDirection: "inbound",
        RoutingData: new InteractionRoutingData(queueId, options.CurrentValue.Priority, []),
        Participants:
        [
            new InteractionParticipant("customer", escalation.SessionId, new ContactDetails(escalation.Customer.Email, escalation.Customer.Name)),
            new InteractionParticipant("agent"),
        ],
        CustomData: new Dictionary<string, string>
        {
            ["cognigySessionId"] = escalation.SessionId,
            ["detectedIntent"] = decision.Intent,
            ["intentContext"] = escalation.Input,
        });

    private static RoutingDecision Decision(SessionState state) =>
        new(state.Intent ?? "", state.Confidence, state.QueueName ?? "", state.UsedFallback);

    private RoutingResult Result(RoutingStatus status, RoutingDecision decision, bool duplicate, RoutingError? error = null) =>
        new(status, decision, session.State.QueueId, session.State.InteractionId, duplicate, error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Routed session {SessionId} to {QueueName} as interaction {InteractionId}")]
    private static partial void LogRouted(ILogger logger, string sessionId, string queueName, string interactionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Routing session {SessionId} failed with {Status}: {Reason}")]
    private static partial void LogAttemptFailed(ILogger logger, string sessionId, RoutingStatus status, string reason);
}
