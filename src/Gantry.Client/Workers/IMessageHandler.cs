using System.Text.Json;

namespace Gantry.Client.Workers;

/// <summary>
/// Handles one message of a consumer group. Return normally to ack it (the group commits it); throw to nack it (it
/// is delivered again, to this member or another, until the group's max_deliveries sends it to the dead letters).
/// Finish within the group's ack_timeout: a delivery held longer is given to another member. A handler is resolved
/// from a fresh DI scope per message.
/// </summary>
public interface IMessageHandler
{
    Task HandleAsync(MessageContext message, CancellationToken cancellationToken);
}

/// <summary>A handler for JSON payloads of type <typeparamref name="TPayload"/>.</summary>
public abstract class MessageHandler<TPayload> : IMessageHandler
{
    Task IMessageHandler.HandleAsync(MessageContext message, CancellationToken cancellationToken) =>
        HandleAsync(message.GetPayload<TPayload>()!, message, cancellationToken);

    protected abstract Task HandleAsync(TPayload payload, MessageContext message, CancellationToken cancellationToken);
}
