using System.Runtime.CompilerServices;
using Gantry.Core.Engine;
using Gantry.Core.Options;
using Gantry.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Core.Topics;

/// <summary>One item of a live stream: a message, or a notice the client must hear about its position.</summary>
public readonly record struct LiveItem(TopicMessage? Message, LiveNotice Notice = LiveNotice.None, long From = 0, long To = 0,
    string? Epoch = null);

public enum LiveNotice
{
    None,
    /// <summary>Offsets <c>From</c> to <c>To</c> were pruned before the subscriber could read them.</summary>
    Truncated,
    /// <summary>The subscriber fell behind and is cut off: resume after offset <c>From</c>.</summary>
    Overflow,
    /// <summary>The topic's history was lost: its epoch is now <c>Epoch</c>; old offsets mean nothing.</summary>
    EpochChanged,
    /// <summary>The server is stopping: resume after offset <c>From</c> (on this server later, or another).</summary>
    Stopping,
}

/// <summary>
/// Live subscribers on this server, for every transport (SSE now, STOMP next): one <see cref="TopicFeed"/> per topic
/// with subscribers, patterns matched as topics are published to, presence, and the catch-up from history that turns
/// "resume after offset N" into a gap-free stream. Subscribers of a pattern receive live messages of the matching
/// topics from the moment they subscribe.
/// </summary>
public sealed class TopicHub
{
    private readonly ITopicStore _store;
    private readonly TopicSignals _signals;
    private readonly TopicOptions _options;
    private readonly ILogger<TopicHub> _log;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, TopicFeed> _feeds = new(StringComparer.Ordinal);
    private readonly HashSet<LiveSubscription> _all = [];
    private readonly List<LiveSubscription> _patterns = [];
    private volatile bool _stopping;

    public TopicHub(TopicLog topics, JobSignals signals, IOptions<GantryEngineOptions> options, ILogger<TopicHub> log)
    {
        (_store, _signals, _options, _log) = (topics, signals.Topics, options.Value.Topics, log);
        _signals.Observe(OnPublished);
    }

    /// <summary>Who is subscribed to <paramref name="topic"/> on this server (directly or by a pattern).</summary>
    public IReadOnlyList<SubscriberInfo> Presence(string topic)
    {
        lock (_gate) return _all.Where(s => s.Pattern.Matches(topic)).Select(s => s.Info).OrderBy(i => i.Since).ToList();
    }

    public int CountFor(string topic)
    {
        lock (_gate) return _all.Count(s => s.Pattern.Matches(topic));
    }

    /// <summary>
    /// A live stream of one topic starting after <paramref name="after"/>: history first (in pages, from the store),
    /// then live messages, with no gap and no repeat between the two. Ends with a notice when the server cuts it off
    /// (it fell behind, the topic was created again, the server is stopping).
    /// </summary>
    /// <param name="topic">One topic (patterns: <see cref="StreamPatternAsync"/>).</param>
    /// <param name="after">The last offset the client has; 0 for everything kept.</param>
    /// <param name="info">Who subscribes, for presence.</param>
    /// <param name="epoch">The epoch the client's offsets belong to, if it knows one: when the topic's is different, the
    /// client is told (<see cref="LiveNotice.EpochChanged"/>) and the stream starts from the oldest message instead.</param>
    /// <param name="policy">What happens when the client falls behind.</param>
    /// <param name="cutOff">Told at once when the client is cut off for falling behind (see <see cref="LiveSubscription"/>).</param>
    /// <param name="ct">Ends the stream (the client went away).</param>
    public async IAsyncEnumerable<LiveItem> StreamAsync(string topic, long after, SubscriberInfo info, string? epoch = null,
        SlowConsumerPolicy policy = SlowConsumerPolicy.Disconnect, Action? cutOff = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        TopicName.Validate(topic);
        var cursor = after;
        var checkedEpoch = false;
        // Catch up while the history is long, before joining the feed: a subscriber reading a day of history must not
        // fill its live buffer meanwhile.
        while (true)
        {
            var read = await _store.TopicRead(topic, cursor, _options.MaxReadSize, ct).ConfigureAwait(false);
            if (read is null)
            {
                // No such topic (any more): offsets the client holds belong to a history that is gone.
                if (cursor > 0) yield return new LiveItem(null, LiveNotice.EpochChanged);
                cursor = 0;
                break;
            }
            if (!checkedEpoch)
            {
                checkedEpoch = true;
                if (epoch is not null && epoch != read.Epoch)
                {
                    yield return new LiveItem(null, LiveNotice.EpochChanged, Epoch: read.Epoch);
                    cursor = 0;
                    continue;
                }
            }
            if (read.FirstOffset > cursor + 1 && read.LastOffset >= read.FirstOffset)
            {
                yield return new LiveItem(null, LiveNotice.Truncated, cursor + 1, read.FirstOffset - 1);
                cursor = read.FirstOffset - 1;
            }
            foreach (var m in read.Messages)
            {
                yield return new LiveItem(m);
                cursor = m.Offset;
            }
            if (read.Messages.Count < _options.MaxReadSize) break;
        }

        using var subscription = Join(TopicPattern.Parse(topic), info, policy, cutOff);
        var joinedAt = JoinFeed(topic, subscription, cursor);
        // What was published between the catch-up and joining: read from history, the feed has it from joinedAt on.
        while (cursor < joinedAt)
        {
            var read = await _store.TopicRead(topic, cursor, _options.MaxReadSize, ct).ConfigureAwait(false);
            if (read is null || read.Messages.Count == 0) break;
            foreach (var m in read.Messages)
            {
                if (m.Offset > joinedAt) break;
                yield return new LiveItem(m);
                cursor = m.Offset;
            }
        }
        await foreach (var item in Drain(subscription, () => cursor, ct).ConfigureAwait(false))
        {
            if (item.Message is { } m)
            {
                if (m.Offset <= cursor) continue;
                cursor = m.Offset;
            }
            yield return item;
        }
    }

    /// <summary>A live stream of every topic matching <paramref name="pattern"/>, from now on.</summary>
    public async IAsyncEnumerable<LiveItem> StreamPatternAsync(TopicPattern pattern, SubscriberInfo info,
        SlowConsumerPolicy policy = SlowConsumerPolicy.Disconnect, Action? cutOff = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        using var subscription = Join(pattern, info, policy, cutOff);
        lock (_gate)
        {
            _patterns.Add(subscription);
            foreach (var feed in _feeds.Values)
                if (pattern.Matches(feed.Topic)) feed.Add(subscription);
        }
        await foreach (var item in Drain(subscription, () => 0, ct).ConfigureAwait(false)) yield return item;
    }

    private static async IAsyncEnumerable<LiveItem> Drain(LiveSubscription subscription, Func<long> cursor,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var reader = subscription.Reader;
        while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            while (reader.TryRead(out var m)) yield return new LiveItem(m);
        }
        switch (subscription.EndReason)
        {
            case LiveEnd.Overflow: yield return new LiveItem(null, LiveNotice.Overflow, cursor()); break;
            case LiveEnd.EpochChanged: yield return new LiveItem(null, LiveNotice.EpochChanged); break;
            case LiveEnd.Stopping: yield return new LiveItem(null, LiveNotice.Stopping, cursor()); break;
        }
    }

    private LiveSubscription Join(TopicPattern pattern, SubscriberInfo info, SlowConsumerPolicy policy, Action? cutOff)
    {
        var subscription = new LiveSubscription(pattern, info, policy, _options.SubscriberBuffer, _options.MaxReadSize, Leave, cutOff);
        lock (_gate)
        {
            if (_stopping) throw GantryException.Unavailable("The server is stopping; subscribe again (to another server, or this one once it is back).");
            if (_all.Count >= _options.MaxSubscribers)
                throw GantryException.Unavailable($"This server has {_all.Count} live subscribers, its limit (Gantry:Topics:MaxSubscribers); try again later or another server.");
            _all.Add(subscription);
        }
        return subscription;
    }

    /// <summary>Adds the subscription to the topic's feed, starting one (after <paramref name="cursor"/>, where the
    /// subscriber's catch-up ended) if there is none; returns the offset after which the feed delivers to it.</summary>
    private long JoinFeed(string topic, LiveSubscription subscription, long cursor)
    {
        lock (_gate)
        {
            if (_feeds.TryGetValue(topic, out var existing)) return existing.Add(subscription);
            var feed = new TopicFeed(topic, _store, _signals, _options.MaxReadSize, _log);
            _feeds.Add(topic, feed);
            foreach (var p in _patterns)
                if (p.Pattern.Matches(topic)) feed.Add(p);
            feed.Add(subscription);
            feed.Start(cursor);
            return cursor;
        }
    }

    /// <summary>On the announcing thread: a topic nobody follows here got messages, and a pattern subscriber matches it.</summary>
    private void OnPublished(TopicAppend append)
    {
        if (append.Topic.Length == 0 || _patterns.Count == 0) return;
        TopicFeed? started = null;
        lock (_gate)
        {
            if (_feeds.ContainsKey(append.Topic)) return;
            foreach (var p in _patterns)
            {
                if (!p.Pattern.Matches(append.Topic)) continue;
                started ??= new TopicFeed(append.Topic, _store, _signals, _options.MaxReadSize, _log);
                started.Add(p);
            }
            if (started is null) return;
            _feeds.Add(append.Topic, started);
            started.Start(append.First - 1);
        }
    }

    private void Leave(LiveSubscription subscription)
    {
        List<TopicFeed> idle = [];
        lock (_gate)
        {
            if (!_all.Remove(subscription)) return;
            _patterns.Remove(subscription);
            foreach (var (topic, feed) in _feeds)
            {
                if (feed.Remove(subscription)) idle.Add(feed);
            }
            foreach (var feed in idle) _feeds.Remove(feed.Topic);
        }
        foreach (var feed in idle) feed.Stop(LiveEnd.None);
    }

    /// <summary>Ends every live subscription (each is told where to resume) and refuses new ones.</summary>
    public void Stop()
    {
        List<LiveSubscription> all;
        lock (_gate)
        {
            _stopping = true;
            all = [.. _all];
        }
        foreach (var s in all) s.End(LiveEnd.Stopping);
    }
}
