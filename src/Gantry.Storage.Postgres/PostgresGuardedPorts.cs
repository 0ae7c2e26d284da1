using Gantry.Core.Queues;
using Gantry.Core.Recurring;
using Gantry.Core.Storage;
using Gantry.Core.Topics;

namespace Gantry.Storage.Postgres;

/// <summary>The queues port with every call going through <see cref="PostgresCalls"/>: reads retried once on a broken
/// connection, writes not, and an unreachable database reported as such.</summary>
internal sealed class GuardedQueueStore(IQueueStore inner, PostgresCalls calls) : IQueueStore
{
    public Task<IReadOnlyList<QueueSummary>> QueueList(CancellationToken ct) => calls.Safe(inner.QueueList, ct);

    public Task QueueSetPaused(string queue, bool paused, DateTimeOffset now, CancellationToken ct) =>
        calls.Once(c => inner.QueueSetPaused(queue, paused, now, c), ct);

    public Task QueueSetLane(string queue, string? lane, DateTimeOffset now, CancellationToken ct) =>
        calls.Once(c => inner.QueueSetLane(queue, lane, now, c), ct);

    public Task<IReadOnlyList<QueueSetting>> QueueListSettings(CancellationToken ct) => calls.Safe(inner.QueueListSettings, ct);
}

/// <summary>The recurring schedules port with every call going through <see cref="PostgresCalls"/>.</summary>
internal sealed class GuardedRecurringStore(IRecurringStore inner, PostgresCalls calls) : IRecurringStore
{
    public Task RecurringSave(RecurringSchedule schedule, CancellationToken ct) => calls.Once(c => inner.RecurringSave(schedule, c), ct);

    public Task<RecurringSchedule?> RecurringGet(string name, CancellationToken ct) => calls.Safe(c => inner.RecurringGet(name, c), ct);

    public Task<IReadOnlyList<RecurringSchedule>> RecurringList(CancellationToken ct) => calls.Safe(inner.RecurringList, ct);

    public Task<bool> RecurringDelete(string name, CancellationToken ct) => calls.Once(c => inner.RecurringDelete(name, c), ct);

    public Task<IReadOnlyList<RecurringSchedule>> RecurringGetDue(DateTimeOffset now, int limit, CancellationToken ct) =>
        calls.Safe(c => inner.RecurringGetDue(now, limit, c), ct);

    public Task<DateTimeOffset?> RecurringGetNextFireAt(CancellationToken ct) => calls.Safe(inner.RecurringGetNextFireAt, ct);

    // A fire is one transaction that a unique (schedule, tick) record guards: repeating one whose answer was lost finds
    // the record and changes nothing, so it is safe to try again.
    public Task<RecurringFireResult> RecurringFire(RecurringFire fire, CancellationToken ct) => calls.Safe(c => inner.RecurringFire(fire, c), ct);

    public Task<IReadOnlyList<RecurringFireRecord>> RecurringListFires(string name, int limit, CancellationToken ct) =>
        calls.Safe(c => inner.RecurringListFires(name, limit, c), ct);

    public Task<int> RecurringDeleteFiresBefore(DateTimeOffset cutoff, int limit, CancellationToken ct) =>
        calls.Safe(c => inner.RecurringDeleteFiresBefore(cutoff, limit, c), ct);
}

/// <summary>The topic log port with every call going through <see cref="PostgresCalls"/>. An append is not retried: a
/// publisher that retries with the same message id is told the original offset (dedup), one without an id must decide.</summary>
internal sealed class GuardedTopicStore(ITopicStore inner, PostgresCalls calls) : ITopicStore
{
    public Task<PublishOutcome> TopicAppend(string topic, IReadOnlyList<NewMessage> messages, string newEpoch, DateTimeOffset now,
        DateTimeOffset dedupSince, CancellationToken ct) =>
        calls.Once(c => inner.TopicAppend(topic, messages, newEpoch, now, dedupSince, c), ct);

    public Task<TopicRead?> TopicRead(string topic, long after, int limit, CancellationToken ct) =>
        calls.Safe(c => inner.TopicRead(topic, after, limit, c), ct);

    public Task<long?> TopicOffsetBefore(string topic, DateTimeOffset time, CancellationToken ct) =>
        calls.Safe(c => inner.TopicOffsetBefore(topic, time, c), ct);

    public Task<TopicInfo?> TopicGet(string topic, CancellationToken ct) => calls.Safe(c => inner.TopicGet(topic, c), ct);

    public Task<IReadOnlyList<TopicInfo>> TopicList(CancellationToken ct) => calls.Safe(inner.TopicList, ct);

    // Saving settings sets them to given values: repeating it does no harm.
    public Task<TopicInfo> TopicSave(string topic, TopicSettings settings, string newEpoch, DateTimeOffset now, CancellationToken ct) =>
        calls.Safe(c => inner.TopicSave(topic, settings, newEpoch, now, c), ct);

    public Task<bool> TopicDelete(string topic, CancellationToken ct) => calls.Once(c => inner.TopicDelete(topic, c), ct);

    public Task<int> TopicPrune(string topic, long throughOffset, DateTimeOffset publishedBefore, int limit, CancellationToken ct) =>
        calls.Safe(c => inner.TopicPrune(topic, throughOffset, publishedBefore, limit, c), ct);
}

/// <summary>The consumer groups port with every call going through <see cref="PostgresCalls"/>. A fetch is repeated
/// safely (a lease whose answer was lost is delivered again when it lapses); acks and nacks quote (offset, attempt), so
/// repeating one finds it settled.</summary>
internal sealed class GuardedGroupStore(IGroupStore inner, PostgresCalls calls) : IGroupStore
{
    public Task<GroupFetch?> GroupFetch(string topic, string group, string member, int max, GroupPolicy defaults, DateTimeOffset now,
        CancellationToken ct) => calls.Safe(c => inner.GroupFetch(topic, group, member, max, defaults, now, c), ct);

    public Task<IReadOnlyList<DeliveryOutcome>> GroupAck(string topic, string group, IReadOnlyList<DeliveryRef> deliveries, CancellationToken ct) =>
        calls.Once(c => inner.GroupAck(topic, group, deliveries, c), ct);

    public Task<IReadOnlyList<DeliveryOutcome>> GroupNack(string topic, string group, IReadOnlyList<DeliveryRef> deliveries, DateTimeOffset redeliverAt,
        DateTimeOffset now, CancellationToken ct) => calls.Once(c => inner.GroupNack(topic, group, deliveries, redeliverAt, now, c), ct);

    public Task<GroupInfo?> GroupGet(string topic, string group, CancellationToken ct) => calls.Safe(c => inner.GroupGet(topic, group, c), ct);

    public Task<IReadOnlyList<GroupInfo>> GroupList(string topic, CancellationToken ct) => calls.Safe(c => inner.GroupList(topic, c), ct);

    public Task<GroupInfo?> GroupSave(string topic, string group, GroupPolicy policy, long? startAfter, DateTimeOffset now, CancellationToken ct) =>
        calls.Safe(c => inner.GroupSave(topic, group, policy, startAfter, now, c), ct);

    public Task<bool> GroupReset(string topic, string group, long after, GroupPolicy defaults, DateTimeOffset now, CancellationToken ct) =>
        calls.Once(c => inner.GroupReset(topic, group, after, defaults, now, c), ct);

    public Task<bool> GroupDelete(string topic, string group, CancellationToken ct) => calls.Once(c => inner.GroupDelete(topic, group, c), ct);

    public Task<IReadOnlyList<DeadLetter>> GroupListDead(string topic, string group, long after, int limit, CancellationToken ct) =>
        calls.Safe(c => inner.GroupListDead(topic, group, after, limit, c), ct);

    public Task<int> GroupReplayDead(string topic, string group, IReadOnlyList<long>? offsets, DateTimeOffset now, CancellationToken ct) =>
        calls.Once(c => inner.GroupReplayDead(topic, group, offsets, now, c), ct);
}
