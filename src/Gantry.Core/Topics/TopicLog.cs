using System.Collections.Concurrent;
using Gantry.Core.Engine;
using Gantry.Core.Options;
using Gantry.Core.Storage;
using Microsoft.Extensions.Options;

namespace Gantry.Core.Topics;

/// <summary>
/// The topic log every topic operation goes through: durable topics in the store, memory topics in rings in this
/// process. A topic's lane is part of its settings in the store (so every server agrees a topic is a memory topic),
/// cached here for <see cref="SettingsCacheTime"/>; a memory topic's messages never touch the store. Appends to
/// memory topics are announced to this server's subscribers only: they are node-local by definition.
/// </summary>
public sealed class TopicLog : ITopicStore
{
    /// <summary>5 seconds: how long this server trusts its copy of a topic's settings (another server may change them;
    /// until then a publish here checks against the old size limit and lane). Reading them per publish would double the work.</summary>
    public static readonly TimeSpan SettingsCacheTime = TimeSpan.FromSeconds(5);

    private readonly ITopicStore _durable;
    private readonly TopicAppendCoalescer? _appends;
    private readonly TopicSignals _signals;
    private readonly TopicOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (TopicSettings Settings, long Until)> _settings = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MemoryTopicRing> _rings = new(StringComparer.Ordinal);

    public TopicLog(IStore store, JobSignals signals, IOptions<GantryEngineOptions> options, TimeProvider time)
    {
        (_durable, _signals, _options, _time) = (store.Topics, signals.Topics, options.Value.Topics, time);
        _appends = _durable.MergesConcurrentAppends ? null : new TopicAppendCoalescer(_durable);
    }

    /// <summary>The topic's settings, from the cache when fresh; the defaults (durable) for a topic that does not exist.</summary>
    public async ValueTask<TopicSettings> SettingsAsync(string topic, CancellationToken ct)
    {
        var now = _time.GetTimestamp();
        if (_settings.TryGetValue(topic, out var cached) && cached.Until > now) return cached.Settings;
        var info = await _durable.TopicGet(topic, ct).ConfigureAwait(false);
        var settings = info?.Settings ?? TopicSettings.Defaults;
        // Only remembered for topics that exist: a name nobody publishes to again must not stay in memory.
        if (info is not null) Remember(topic, settings);
        else if (_settings.TryRemove(topic, out _)) _rings.TryRemove(topic, out _); // deleted, perhaps on another server
        return settings;
    }

    private void Remember(string topic, TopicSettings settings) =>
        _settings[topic] = (settings, _time.GetTimestamp() + (long)(SettingsCacheTime.TotalSeconds * _time.TimestampFrequency));

    private async ValueTask<MemoryTopicRing?> RingAsync(string topic, CancellationToken ct) =>
        (await SettingsAsync(topic, ct).ConfigureAwait(false)).Lane == TopicLane.Memory ? Ring(topic) : null;

    private MemoryTopicRing Ring(string topic) => _rings.GetOrAdd(topic, static t => new MemoryTopicRing(t, TopicEngine.NewEpoch()));

    public async Task<PublishOutcome> TopicAppend(string topic, IReadOnlyList<NewMessage> messages, string newEpoch, DateTimeOffset now,
        DateTimeOffset dedupSince, CancellationToken ct)
    {
        var settings = await SettingsAsync(topic, ct).ConfigureAwait(false);
        if (settings.Lane != TopicLane.Memory)
            return _appends is null
                ? await _durable.TopicAppend(topic, messages, newEpoch, now, dedupSince, ct).ConfigureAwait(false)
                : await _appends.AppendAsync(topic, messages, newEpoch, now, dedupSince, ct).ConfigureAwait(false);
        var ring = Ring(topic);
        var results = ring.Append(messages, now, dedupSince, settings.RetainCount ?? _options.MemoryRetainCount, _options.MemoryMaxBytes,
            out var first, out var last);
        if (first > 0) _signals.Published(new TopicAppend(topic, first, last));
        return new PublishOutcome(results, ring.Epoch);
    }

    public async Task<TopicRead?> TopicRead(string topic, long after, int limit, CancellationToken ct) =>
        await RingAsync(topic, ct).ConfigureAwait(false) is { } ring
            ? ring.Read(after, limit)
            : await _durable.TopicRead(topic, after, limit, ct).ConfigureAwait(false);

    public async Task<long?> TopicOffsetBefore(string topic, DateTimeOffset time, CancellationToken ct) =>
        await RingAsync(topic, ct).ConfigureAwait(false) is { } ring
            ? ring.OffsetBefore(time)
            : await _durable.TopicOffsetBefore(topic, time, ct).ConfigureAwait(false);

    public async Task<TopicInfo?> TopicGet(string topic, CancellationToken ct)
    {
        var info = await _durable.TopicGet(topic, ct).ConfigureAwait(false);
        if (info is null) return null;
        Remember(topic, info.Settings);
        return WithRing(info);
    }

    public async Task<IReadOnlyList<TopicInfo>> TopicList(CancellationToken ct)
    {
        var list = await _durable.TopicList(ct).ConfigureAwait(false);
        return list.Select(WithRing).ToList();
    }

    /// <summary>A memory topic's row in the store holds its declaration; its offsets and epoch are this server's ring's.</summary>
    private TopicInfo WithRing(TopicInfo info)
    {
        if (info.Settings.Lane != TopicLane.Memory) return info;
        var ring = Ring(info.Name);
        var (first, last, count) = ring.Offsets;
        return info with { Epoch = ring.Epoch, FirstOffset = first, LastOffset = last, MessageCount = count };
    }

    public async Task<TopicInfo> TopicSave(string topic, TopicSettings settings, string newEpoch, DateTimeOffset now, CancellationToken ct)
    {
        var before = await _durable.TopicGet(topic, ct).ConfigureAwait(false);
        var info = await _durable.TopicSave(topic, settings, newEpoch, now, ct).ConfigureAwait(false);
        // Leaving the memory lane drops the ring; entering it starts a new one (a new epoch either way, so readers are told).
        if (before?.Settings.Lane != settings.Lane) _rings.TryRemove(topic, out _);
        Remember(topic, info.Settings);
        return WithRing(info);
    }

    public async Task<bool> TopicDelete(string topic, CancellationToken ct)
    {
        var deleted = await _durable.TopicDelete(topic, ct).ConfigureAwait(false);
        _rings.TryRemove(topic, out _);
        _settings.TryRemove(topic, out _);
        return deleted;
    }

    public async Task<int> TopicPrune(string topic, long throughOffset, DateTimeOffset publishedBefore, int limit, CancellationToken ct) =>
        await RingAsync(topic, ct).ConfigureAwait(false) is { } ring
            ? ring.Prune(throughOffset, publishedBefore, limit)
            : await _durable.TopicPrune(topic, throughOffset, publishedBefore, limit, ct).ConfigureAwait(false);
}
