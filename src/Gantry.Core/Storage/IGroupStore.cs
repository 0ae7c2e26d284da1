using Gantry.Core.Topics;

namespace Gantry.Core.Storage;

/// <summary>
/// The consumer groups port: a named, durable cursor on a topic with competing members. Each message past the cursor
/// is leased to one member at a time; an ack settles it, a nack or a lapsed lease makes it deliverable again, and after
/// the group's maximum deliveries it becomes a dead letter (kept with a copy of the message, so pruning the log does not
/// lose it). Concurrent fetchers on any server never receive the same (offset, attempt).
/// </summary>
public interface IGroupStore
{
    /// <summary>Leases up to <paramref name="max"/> messages to <paramref name="member"/>: first those whose redelivery
    /// is due (oldest offset first), then new ones past the cursor. A group that does not exist is created with
    /// <paramref name="defaults"/>, starting after the topic's newest message. Null when the topic does not exist.</summary>
    Task<GroupFetch?> GroupFetch(string topic, string group, string member, int max, GroupPolicy defaults, DateTimeOffset now,
        CancellationToken ct);

    /// <summary>Settles deliveries: each leased under that attempt is committed.</summary>
    Task<IReadOnlyList<DeliveryOutcome>> GroupAck(string topic, string group, IReadOnlyList<DeliveryRef> deliveries, CancellationToken ct);

    /// <summary>Gives deliveries back: each becomes deliverable at <paramref name="redeliverAt"/>, or a dead letter when
    /// it has been delivered the group's maximum times.</summary>
    Task<IReadOnlyList<DeliveryOutcome>> GroupNack(string topic, string group, IReadOnlyList<DeliveryRef> deliveries,
        DateTimeOffset redeliverAt, DateTimeOffset now, CancellationToken ct);

    Task<GroupInfo?> GroupGet(string topic, string group, CancellationToken ct);

    /// <summary>The topic's groups, by name.</summary>
    Task<IReadOnlyList<GroupInfo>> GroupList(string topic, CancellationToken ct);

    /// <summary>Creates the group or changes its policy (its cursor stays). <paramref name="startAfter"/> places a new
    /// group's cursor; null starts it after the topic's newest message.</summary>
    Task<GroupInfo?> GroupSave(string topic, string group, GroupPolicy policy, long? startAfter, DateTimeOffset now, CancellationToken ct);

    /// <summary>Moves the cursor so the next new delivery is the message after <paramref name="after"/>, and drops the
    /// deliveries in flight and waiting (their members' acks find them lost); dead letters stay. Creates the group if
    /// needed (with <paramref name="defaults"/>); false when the topic does not exist.</summary>
    Task<bool> GroupReset(string topic, string group, long after, GroupPolicy defaults, DateTimeOffset now, CancellationToken ct);

    /// <summary>Deletes the group with its deliveries and dead letters; false when there was none.</summary>
    Task<bool> GroupDelete(string topic, string group, CancellationToken ct);

    /// <summary>Up to <paramref name="limit"/> dead letters with offsets above <paramref name="after"/>, in order.</summary>
    Task<IReadOnlyList<DeadLetter>> GroupListDead(string topic, string group, long after, int limit, CancellationToken ct);

    /// <summary>Makes dead letters deliverable again now, with their delivery count reset: those at
    /// <paramref name="offsets"/>, or every one when null. Returns how many.</summary>
    Task<int> GroupReplayDead(string topic, string group, IReadOnlyList<long>? offsets, DateTimeOffset now, CancellationToken ct);
}
