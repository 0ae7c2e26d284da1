using System.Threading.Channels;

namespace Gantry.Core.Topics;

/// <summary>What a live subscriber does when it falls further behind than its buffer holds.</summary>
public enum SlowConsumerPolicy
{
    /// <summary>Cut it off with its resume offset: it reconnects and catches up from history, missing nothing.</summary>
    Disconnect,
    /// <summary>Drop the oldest buffered messages: for live-only feeds (prices, presence) where only the newest matter.</summary>
    DropOldest,
}

/// <summary>Who is subscribed, for presence: the transport, the client's own name for itself (or its login), since when.</summary>
public sealed record SubscriberInfo(string Transport, string? Client, DateTimeOffset Since, string Pattern, string? Group = null);

/// <summary>Why a live subscription ended on the server's side.</summary>
public enum LiveEnd
{
    None,
    /// <summary>It fell behind further than its buffer: resume from the last offset it received.</summary>
    Overflow,
    /// <summary>The topic's history was lost (deleted and created again): old offsets mean nothing now.</summary>
    EpochChanged,
    /// <summary>The server is stopping.</summary>
    Stopping,
}

/// <summary>One live subscriber's bounded buffer, filled by the feeds of the topics it matches without ever waiting on
/// it, and drained by its connection.</summary>
public sealed class LiveSubscription : IDisposable
{
    private readonly Channel<TopicMessage> _buffer;
    private readonly Action<LiveSubscription> _leave;
    private readonly Action? _cutOff;
    private readonly SlowConsumerPolicy _policy;
    private readonly int _behind;
    private int _ended;

    /// <param name="pattern">What it subscribes to.</param>
    /// <param name="info">Who, for presence.</param>
    /// <param name="policy">What happens when it falls behind.</param>
    /// <param name="behind">How many messages it may have waiting when a new page of messages arrives: a subscriber
    /// further behind is cut off (<see cref="SlowConsumerPolicy.Disconnect"/>) or loses the oldest.</param>
    /// <param name="page">The most messages one page brings: the buffer holds <paramref name="behind"/> plus a page, so a
    /// burst (one big batch published at once) reaches a subscriber that keeps up instead of cutting it off.</param>
    /// <param name="leave">Called once when it is disposed.</param>
    /// <param name="cutOff">Told when the server cuts it off for falling behind, at once, on the fan-out's thread: its
    /// connection may be stuck in a write and never see the notice.</param>
    internal LiveSubscription(TopicPattern pattern, SubscriberInfo info, SlowConsumerPolicy policy, int behind, int page,
        Action<LiveSubscription> leave, Action? cutOff = null)
    {
        Pattern = pattern;
        Info = info;
        _leave = leave;
        _cutOff = cutOff;
        _policy = policy;
        _behind = behind;
        _buffer = Channel.CreateBounded<TopicMessage>(new BoundedChannelOptions(policy == SlowConsumerPolicy.DropOldest ? behind : behind + page)
        {
            SingleReader = true,
            FullMode = policy == SlowConsumerPolicy.DropOldest ? BoundedChannelFullMode.DropOldest : BoundedChannelFullMode.Wait,
        });
    }

    public TopicPattern Pattern { get; }

    public SubscriberInfo Info { get; }

    public ChannelReader<TopicMessage> Reader => _buffer.Reader;

    /// <summary>Why the server ended it (<see cref="LiveEnd.None"/> while it runs).</summary>
    public LiveEnd EndReason { get; private set; }

    /// <summary>Hands a page of messages over without waiting; false when the subscription was cut off (it was more than
    /// its allowance behind when the page came) or had ended.</summary>
    internal bool OfferPage(IReadOnlyList<TopicMessage> page)
    {
        if (Volatile.Read(ref _ended) == 1) return false;
        if (_policy == SlowConsumerPolicy.Disconnect && _buffer.Reader.Count >= _behind)
        {
            End(LiveEnd.Overflow);
            return false;
        }
        foreach (var message in page)
        {
            if (_buffer.Writer.TryWrite(message)) continue;
            End(LiveEnd.Overflow);
            return false;
        }
        return true;
    }

    internal void End(LiveEnd reason)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 1) return;
        EndReason = reason;
        _buffer.Writer.TryComplete();
        if (reason == LiveEnd.Overflow) _cutOff?.Invoke();
    }

    public void Dispose()
    {
        End(LiveEnd.None);
        _leave(this);
    }
}
