using Microsoft.Extensions.Options;
using OrleansRouting.Grains.Cxone;

namespace OrleansRouting.Grains.Routing;

/// <summary>One routing attempt against CXone: resolve the queue, then create the interaction.</summary>
public sealed class EscalationDispatcher(SiloQueueCache queues, CxoneClient cxone, IOptionsMonitor<RoutingOptions> options)
{
    /// <summary>The queue id, or null when CXone has no queue of that name.</summary>
    public async Task<string?> ResolveQueueAsync(string queueName) => (await queues.ResolveAsync(queueName)).QueueId;

    public Task<string> CreateInteractionAsync(Escalation escalation, RoutingDecision decision, string queueId) =>
        cxone.CreateInteractionAsync(BuildInteraction(escalation, decision, queueId), idempotencyKey: escalation.SessionId);

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
}
