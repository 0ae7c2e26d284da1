namespace Gantry.Core.Topics;

/// <summary>One message leased to one member of a consumer group. <see cref="Attempt"/> counts deliveries (1 the first
/// time); acks and nacks quote (offset, attempt), so a member whose lease ran out cannot settle a redelivery that
/// another member now holds.</summary>
public sealed record GroupDelivery(TopicMessage Message, int Attempt, DateTimeOffset LeaseExpiresAt)
{
    public DeliveryRef Ref => new(Message.Offset, Attempt);
}

/// <summary>A delivery as members quote it: <c>"offset:attempt"</c> on the wire.</summary>
public readonly record struct DeliveryRef(long Offset, int Attempt)
{
    public override string ToString() => $"{Offset}:{Attempt}";

    public static bool TryParse(string? text, out DeliveryRef value)
    {
        value = default;
        if (text is null) return false;
        var colon = text.IndexOf(':');
        if (colon <= 0) return false;
        if (!long.TryParse(text.AsSpan(0, colon), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var offset) || offset <= 0) return false;
        if (!int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var attempt) || attempt <= 0) return false;
        value = new DeliveryRef(offset, attempt);
        return true;
    }
}

/// <summary>How a group treats its members' leases.</summary>
/// <param name="AckTimeout">A delivery not acked or nacked within this is given to another member.</param>
/// <param name="MaxDeliveries">A message delivered this many times without an ack goes to the group's dead letters.</param>
public sealed record GroupPolicy(TimeSpan AckTimeout, int MaxDeliveries);

/// <summary>What one fetch got: deliveries in offset order (redeliveries first), and when the earliest message that is
/// waiting (a nack's delay, a running lease) becomes deliverable, so a long poll sleeps exactly until then.</summary>
public sealed record GroupFetch(IReadOnlyList<GroupDelivery> Deliveries, DateTimeOffset? NextRedeliveryAt);

public enum DeliveryOutcome
{
    /// <summary>Acked (committed), or nacked (to be delivered again).</summary>
    Done,
    /// <summary>Nacked once too often: now a dead letter.</summary>
    DeadLettered,
    /// <summary>Not leased under that attempt any more (the lease ran out and the message went elsewhere, or it was
    /// settled already): nothing changed.</summary>
    Lost,
}

/// <summary>A consumer group's position and health (<see cref="Lag"/>: messages published but not yet acked, the topic's
/// last offset minus <c>Committed</c>).</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Name">The group's name.</param>
/// <param name="Policy">Its ack timeout and maximum deliveries.</param>
/// <param name="Committed">Every offset up to this one is acked (or dead-lettered).</param>
/// <param name="Delivered">The highest offset handed to a member so far.</param>
/// <param name="LastOffset">The topic's newest offset.</param>
/// <param name="InFlight">Deliveries leased to members now.</param>
/// <param name="Waiting">Deliveries waiting to be delivered again (nacked, or their lease ran out).</param>
/// <param name="Dead">Dead letters kept.</param>
/// <param name="OldestUnackedAt">When the oldest message not yet acked was published.</param>
/// <param name="CreatedAt">When the group was created.</param>
public sealed record GroupInfo(string Topic, string Name, GroupPolicy Policy, long Committed, long Delivered, long LastOffset,
    long InFlight, long Waiting, long Dead, DateTimeOffset? OldestUnackedAt, DateTimeOffset CreatedAt)
{
    public long Lag => Math.Max(0, LastOffset - Committed);
}

/// <summary>A message that a group gave up on after <see cref="Attempts"/> deliveries.</summary>
public sealed record DeadLetter(TopicMessage Message, int Attempts, DateTimeOffset DeadAt);
