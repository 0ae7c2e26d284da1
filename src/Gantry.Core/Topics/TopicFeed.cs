using Gantry.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Gantry.Core.Topics;

/// <summary>
/// One topic's live fan-out on this server: a single reader follows the topic's log (woken by the store's
/// announcements, from this server or another) and offers each new message to every subscriber's bounded buffer. It
/// never waits on a subscriber: one that is full is cut off (or loses its oldest, by its policy). The message objects
/// are shared, so a thousand subscribers cost a thousand references, not a thousand copies.
/// </summary>
internal sealed class TopicFeed
{
    private readonly string _topic;
    private readonly ITopicStore _store;
    private readonly TopicSignals _signals;
    private readonly int _page;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private LiveSubscription[] _subscribers = [];
    private long _cursor;
    private string? _epoch;

    public TopicFeed(string topic, ITopicStore store, TopicSignals signals, int page, ILogger log)
    {
        (_topic, _store, _signals, _page, _log) = (topic, store, signals, page, log);
    }

    public string Topic => _topic;

    /// <summary>Starts following the log after <paramref name="cursor"/>.</summary>
    public void Start(long cursor)
    {
        _cursor = cursor;
        _ = Task.Run(RunAsync);
    }

    /// <summary>Adds a subscriber; returns the offset after which it will receive every message.</summary>
    public long Add(LiveSubscription subscription)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers, subscription];
            return _cursor;
        }
    }

    /// <summary>Removes a subscriber; true when none is left.</summary>
    public bool Remove(LiveSubscription subscription)
    {
        lock (_gate)
        {
            _subscribers = _subscribers.Where(s => !ReferenceEquals(s, subscription)).ToArray();
            return _subscribers.Length == 0;
        }
    }

    public void Stop(LiveEnd reason)
    {
        _stop.Cancel();
        foreach (var s in Volatile.Read(ref _subscribers)) s.End(reason);
    }

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            var published = _signals.NextPublished(_topic);
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    var read = await _store.TopicRead(_topic, _cursor, _page, ct).ConfigureAwait(false);
                    if (read is null) break;
                    if (_epoch is not null && read.Epoch != _epoch) EpochChanged(read.Epoch);
                    _epoch = read.Epoch;
                    if (read.Messages.Count == 0) break;
                    Distribute(read.Messages);
                    if (read.Messages.Count < _page) break;
                }
                await published.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The store is away or a read failed: subscribers keep their connections and get the messages once it
                // is back (the next announcement, or this retry, reads from the same cursor).
                _log.LogDebug(ex, "Live feed of topic {Topic} could not read; trying again", _topic);
                try { await Task.Delay(Maintenance.MaintenanceLoop.RetryAfterError, ct).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private void Distribute(IReadOnlyList<TopicMessage> messages)
    {
        lock (_gate)
        {
            if (messages.Count == 0) return;
            var cut = false;
            _cursor = messages[^1].Offset;
            foreach (var s in _subscribers) cut |= !s.OfferPage(messages);
            if (cut) _subscribers = _subscribers.Where(s => s.EndReason == LiveEnd.None).ToArray();
        }
    }

    private void EpochChanged(string epoch)
    {
        lock (_gate)
        {
            foreach (var s in _subscribers) s.End(LiveEnd.EpochChanged);
            _subscribers = [];
            _cursor = 0;
        }
        _log.LogInformation("Topic {Topic} was created again (epoch {Epoch}): its live subscribers were told to start over", _topic, epoch);
    }
}
