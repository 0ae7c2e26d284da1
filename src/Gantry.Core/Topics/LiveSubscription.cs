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
    private int _ended;

    internal LiveSubscription(TopicPattern pattern, SubscriberInfo info, SlowConsumerPolicy policy, int capacity,
        Action<LiveSubscription> leave)
    {
        Pattern = pattern;
        Info = info;
        _leave = leave;
        _buffer = Channel.CreateBounded<TopicMessage>(new BoundedChannelOptions(capacity)
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

    /// <summary>Hands a message over without waiting; false when the subscription was cut off (or had ended).</summary>
    internal bool Offer(TopicMessage message)
    {
        if (_buffer.Writer.TryWrite(message)) return true;
        End(LiveEnd.Overflow);
        return false;
    }

    internal void End(LiveEnd reason)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 1) return;
        EndReason = reason;
        _buffer.Writer.TryComplete();
    }

    public void Dispose()
    {
        End(LiveEnd.None);
        _leave(this);
    }
}
