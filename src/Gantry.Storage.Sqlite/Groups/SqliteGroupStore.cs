using Gantry.Core.Storage;
using Gantry.Core.Topics;

namespace Gantry.Storage.Sqlite;

/// <summary>The consumer groups port on SQLite. Fetches, acks and nacks are not fsynced on their own (the next durable
/// commit covers them, in order): one lost in a power cut only means its message is delivered again, which a group's
/// at-least-once promise allows. A process kill loses none of them.</summary>
internal sealed class SqliteGroupStore(SqliteStore store) : IGroupStore
{
    public Task<GroupFetch?> GroupFetch(string topic, string group, string member, int max, GroupPolicy defaults, DateTimeOffset now, CancellationToken ct) =>
        store.Writer.Run(w => w.GroupFetch(topic, group, member, max, defaults, now), durable: false);

    public Task<IReadOnlyList<DeliveryOutcome>> GroupAck(string topic, string group, IReadOnlyList<DeliveryRef> deliveries, CancellationToken ct) =>
        store.Writer.Run(w => w.GroupAck(topic, group, deliveries), durable: false);

    public Task<IReadOnlyList<DeliveryOutcome>> GroupNack(string topic, string group, IReadOnlyList<DeliveryRef> deliveries, DateTimeOffset redeliverAt,
        DateTimeOffset now, CancellationToken ct) =>
        store.Writer.Run(w => w.GroupNack(topic, group, deliveries, redeliverAt, now), durable: false);

    public Task<GroupInfo?> GroupGet(string topic, string group, CancellationToken ct) =>
        Task.FromResult(store.Reads.GroupList(topic, group).SingleOrDefault());

    public Task<IReadOnlyList<GroupInfo>> GroupList(string topic, CancellationToken ct) => Task.FromResult(store.Reads.GroupList(topic, null));

    public Task<GroupInfo?> GroupSave(string topic, string group, GroupPolicy policy, long? startAfter, DateTimeOffset now, CancellationToken ct) =>
        store.Writer.Run(w => w.GroupSave(topic, group, policy, startAfter, now));

    public Task<bool> GroupReset(string topic, string group, long after, GroupPolicy defaults, DateTimeOffset now, CancellationToken ct) =>
        store.Writer.Run(w => w.GroupReset(topic, group, after, defaults, now));

    public Task<bool> GroupDelete(string topic, string group, CancellationToken ct) => store.Writer.Run(w => w.GroupDelete(topic, group));

    public Task<IReadOnlyList<DeadLetter>> GroupListDead(string topic, string group, long after, int limit, CancellationToken ct) =>
        Task.FromResult(store.Reads.GroupListDead(topic, group, after, limit));

    public Task<int> GroupReplayDead(string topic, string group, IReadOnlyList<long>? offsets, DateTimeOffset now, CancellationToken ct) =>
        store.Writer.Run(w => w.GroupReplayDead(topic, group, offsets, now));
}
