namespace Gantry.Client.Topics;

/// <summary>Where a subscription starts and how it behaves when the connection drops.</summary>
public sealed class SubscribeOptions
{
    /// <summary>Defaults to 1 second before the first reconnect (unless the server advises otherwise with <c>retry:</c>).</summary>
    public static readonly TimeSpan DefaultReconnectDelay = TimeSpan.FromSeconds(1);
    /// <summary>Defaults to 30 seconds at most between reconnects while they keep failing (the pause doubles).</summary>
    public static readonly TimeSpan DefaultMaxReconnectDelay = TimeSpan.FromSeconds(30);
    /// <summary>Defaults to 60 seconds of silence (no message, no keep-alive comment) before the connection is taken
    /// for dead and re-opened: the server sends a comment every 15 seconds by default, so a minute is four missed.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Where to start: <c>last</c> (only new messages; the default), <c>first</c>, an offset (the first to
    /// receive) or an ISO 8601 time. Patterns receive new messages only.</summary>
    public string From { get; init; } = "last";
    /// <summary>Resume after this offset instead of <see cref="From"/> (the offset of the last message you processed).</summary>
    public long? After { get; init; }
    /// <summary>A name for this subscriber, shown in the topic's presence list.</summary>
    public string? Client { get; init; }
    public TimeSpan ReconnectDelay { get; init; } = DefaultReconnectDelay;
    public TimeSpan MaxReconnectDelay { get; init; } = DefaultMaxReconnectDelay;
    public TimeSpan IdleTimeout { get; init; } = DefaultIdleTimeout;
    /// <summary>Hears what the server or the connection says on the way; null to ignore.</summary>
    public Action<TopicNotice>? OnNotice { get; init; }
}

/// <summary>What happened to a subscription besides messages.</summary>
public enum TopicNoticeKind
{
    /// <summary>Retention pruned offsets <c>From</c> to <c>To</c> before they could be read: they are gone.</summary>
    Truncated,
    /// <summary>The topic's history was lost (deleted and created again, or a memory topic after a restart): offsets
    /// start over and the subscription continues from the oldest message of the new history.</summary>
    EpochChanged,
    /// <summary>The connection dropped (or the server cut it off: fell behind, stopping); the subscription reconnects
    /// and resumes after <c>From</c>.</summary>
    Reconnecting,
}

/// <param name="Kind">What happened.</param>
/// <param name="Reason">In words, as the server or the connection put it.</param>
/// <param name="From">Truncated: the first lost offset. Reconnecting: the offset the subscription resumes after.</param>
/// <param name="To">Truncated: the last lost offset.</param>
public sealed record TopicNotice(TopicNoticeKind Kind, string Reason, long From = 0, long To = 0);
