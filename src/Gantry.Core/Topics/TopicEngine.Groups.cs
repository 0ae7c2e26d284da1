using Gantry.Core.Jobs;
using Gantry.Core.Queues;

namespace Gantry.Core.Topics;

public sealed partial class TopicEngine
{
    /// <summary>The longest delay a nack may ask for: 7 days, past which a message is better dead-lettered.</summary>
    public static readonly TimeSpan MaxNackDelay = TimeSpan.FromDays(7);

    /// <summary>The group defaults new groups take (<c>Gantry:Topics:AckTimeout</c>, <c>MaxDeliveries</c>).</summary>
    public GroupPolicy DefaultPolicy => new(_options.AckTimeout, _options.MaxDeliveries);

    /// <summary>Leases up to <paramref name="max"/> messages to a member, waiting up to <paramref name="wait"/> for the
    /// first. A group that does not exist yet starts after the topic's newest message; a topic that does not exist yet
    /// gives nothing (until its first publish).</summary>
    public async Task<IReadOnlyList<GroupDelivery>> FetchAsync(string topic, string group, string? member, int max, TimeSpan wait,
        CancellationToken ct)
    {
        TopicName.Validate(topic);
        ValidateGroup(group);
        await DurableOnlyAsync(topic, ct).ConfigureAwait(false);
        max = CheckLimit(max, "max");
        member = string.IsNullOrEmpty(member) ? "anonymous" : member.Length > 200
            ? throw GantryException.Invalid("member", "member names are at most 200 characters.") : member;
        var deadline = _time.GetUtcNow() + wait;
        while (true)
        {
            var changed = _signals.NextGroupChange(topic, group);
            var now = _time.GetUtcNow();
            var fetch = await _groups.GroupFetch(topic, group, member, max, DefaultPolicy, now, ct).ConfigureAwait(false);
            if (fetch is { Deliveries.Count: > 0 }) return fetch.Deliveries;
            var left = deadline - _time.GetUtcNow();
            if (left <= TimeSpan.Zero || IsStopping) return [];
            // A waiting redelivery (a nack's delay, a lease running out) is due at a known time: sleep until then at most.
            if (fetch?.NextRedeliveryAt is { } due && due - now < left) left = due - now < TimeSpan.Zero ? TimeSpan.Zero : due - now;
            if (!await WaitAsync(changed, left, ct).ConfigureAwait(false)) return [];
        }
    }

    public Task<IReadOnlyList<DeliveryOutcome>> AckAsync(string topic, string group, IReadOnlyList<DeliveryRef> deliveries, CancellationToken ct)
    {
        Check(topic, group, deliveries);
        return _groups.GroupAck(topic, group, deliveries, ct);
    }

    /// <summary>Gives deliveries back to the group: delivered again after <paramref name="delay"/> (at once when zero).</summary>
    public Task<IReadOnlyList<DeliveryOutcome>> NackAsync(string topic, string group, IReadOnlyList<DeliveryRef> deliveries, TimeSpan delay,
        CancellationToken ct)
    {
        Check(topic, group, deliveries);
        if (delay < TimeSpan.Zero || delay > MaxNackDelay)
            throw GantryException.Invalid("delay", $"delay must be between 0 and {MaxNackDelay.TotalSeconds:0} seconds (7 days); got {delay.TotalSeconds}.");
        var now = _time.GetUtcNow();
        return _groups.GroupNack(topic, group, deliveries, now + delay, now, ct);
    }

    private void Check(string topic, string group, IReadOnlyList<DeliveryRef> deliveries)
    {
        TopicName.Validate(topic);
        ValidateGroup(group);
        if (deliveries.Count == 0) throw GantryException.Invalid("delivery_ids", "give at least one delivery id.");
        if (deliveries.Count > _maxBatch)
            throw GantryException.TooLarge("delivery_ids", $"at most {_maxBatch} per call (Gantry:Limits:MaxBatchSize); got {deliveries.Count}.");
    }

    public Task<GroupInfo?> GetGroupAsync(string topic, string group, CancellationToken ct) =>
        _groups.GroupGet(TopicName.Validate(topic), ValidateGroup(group), ct);

    public Task<IReadOnlyList<GroupInfo>> ListGroupsAsync(string topic, CancellationToken ct) => _groups.GroupList(TopicName.Validate(topic), ct);

    /// <summary>Groups keep their cursor and deliveries in the store, next to the messages: a memory topic's messages
    /// are not there (and are gone after a restart, which a group's promise could not survive).</summary>
    private async Task DurableOnlyAsync(string topic, CancellationToken ct)
    {
        if ((await _topics.SettingsAsync(topic, ct).ConfigureAwait(false)).Lane == TopicLane.Memory)
            throw GantryException.Invalid("topic", $"'{topic}' is a memory topic; consumer groups need a durable topic (its messages are stored).");
    }

    /// <summary>A group's ack timeout: at least a second (shorter redelivers work still being done), at most a day.</summary>
    public static readonly TimeRange AckTimeoutRange = new(TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));

    /// <summary>Creates a group (starting at <paramref name="start"/>, or after the newest message) or changes its
    /// policy; null when the topic does not exist.</summary>

    public async Task<GroupInfo?> SaveGroupAsync(string topic, string group, TimeSpan? ackTimeout, int? maxDeliveries, StartPosition? start,
        CancellationToken ct)
    {
        TopicName.Validate(topic);
        ValidateGroup(group);
        await DurableOnlyAsync(topic, ct).ConfigureAwait(false);
        var current = await _groups.GroupGet(topic, group, ct).ConfigureAwait(false);
        var policy = current?.Policy ?? DefaultPolicy;
        if (ackTimeout is { } t) policy = policy with { AckTimeout = AckTimeoutRange.Check(t, "ack_timeout") };
        if (maxDeliveries is { } m)
        {
            if (m < 1 || m > 1000) throw GantryException.Invalid("max_deliveries", $"max_deliveries must be between 1 and 1000; got {m}.");
            policy = policy with { MaxDeliveries = m };
        }
        long? after = start is { } s ? await ResolveStartAsync(topic, s, ct).ConfigureAwait(false) : null;
        return await _groups.GroupSave(topic, group, policy, after, _time.GetUtcNow(), ct).ConfigureAwait(false);
    }

    /// <summary>Moves the group's cursor (replay from an offset or a time, or skip to the end); false when the topic
    /// does not exist.</summary>
    public async Task<bool> ResetGroupAsync(string topic, string group, StartPosition start, CancellationToken ct)
    {
        TopicName.Validate(topic);
        ValidateGroup(group);
        var after = await ResolveStartAsync(topic, start, ct).ConfigureAwait(false);
        return await _groups.GroupReset(topic, group, after, DefaultPolicy, _time.GetUtcNow(), ct).ConfigureAwait(false);
    }

    public Task<bool> DeleteGroupAsync(string topic, string group, CancellationToken ct) =>
        _groups.GroupDelete(TopicName.Validate(topic), ValidateGroup(group), ct);

    public Task<IReadOnlyList<DeadLetter>> ListDeadAsync(string topic, string group, long after, int limit, CancellationToken ct) =>
        _groups.GroupListDead(TopicName.Validate(topic), ValidateGroup(group), after, CheckLimit(limit, "limit"), ct);

    public Task<int> ReplayDeadAsync(string topic, string group, IReadOnlyList<long>? offsets, CancellationToken ct)
    {
        if (offsets is { Count: var n } && n > _maxBatch)
            throw GantryException.TooLarge("offsets", $"at most {_maxBatch} per call (Gantry:Limits:MaxBatchSize); got {n}.");
        return _groups.GroupReplayDead(TopicName.Validate(topic), ValidateGroup(group), offsets, _time.GetUtcNow(), ct);
    }

    /// <summary>Group names follow the queue name rule (letters, digits and <c>_ . : -</c>).</summary>
    public static string ValidateGroup(string group)
    {
        if (QueueName.IsValid(group)) return group;
        if (string.IsNullOrEmpty(group)) throw GantryException.Invalid("group", "a group name is required.");
        throw GantryException.Invalid("group", $"'{Shorten(group)}' is not a valid group name: use letters, digits and _ . : - only (at most {QueueName.MaxLength}).");
    }
}
