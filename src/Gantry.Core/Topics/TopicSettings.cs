namespace Gantry.Core.Topics;

/// <summary>A topic's own settings; null fields take the server's defaults (<see cref="Options.TopicOptions"/>).</summary>
/// <param name="RetainCount">Keep at most this many newest messages.</param>
/// <param name="RetainAge">Keep messages at most this long after they were published.</param>
/// <param name="MaxMessageBytes">The largest body a publisher may send to this topic.</param>
/// <param name="Lane">Where its messages live: the store (durable, the default) or this server's memory.</param>
public sealed record TopicSettings(long? RetainCount = null, TimeSpan? RetainAge = null, int? MaxMessageBytes = null,
    TopicLane Lane = TopicLane.Durable)
{
    public static TopicSettings Defaults { get; } = new();
}

/// <summary>A topic as its store knows it.</summary>
/// <param name="Name">The topic's name.</param>
/// <param name="Settings">Its own settings (null fields take the server's defaults).</param>
/// <param name="Epoch">Changes whenever the topic's history is lost (deleted and created again): offsets of one epoch
/// mean nothing in another, so a client resuming with an old epoch is told so.</param>
/// <param name="FirstOffset">The oldest offset still kept; <c>LastOffset + 1</c> when none is.</param>
/// <param name="LastOffset">The newest offset published; 0 before the first message.</param>
/// <param name="MessageCount">Messages kept.</param>
/// <param name="CreatedAt">When the topic was created.</param>
/// <param name="Declared">Settings were given (PUT); otherwise the topic was made by its first publish.</param>
public sealed record TopicInfo(string Name, string Epoch, TopicSettings Settings, long FirstOffset, long LastOffset,
    long MessageCount, DateTimeOffset CreatedAt, bool Declared);

/// <summary>What a read of a topic's log found.</summary>
/// <param name="Messages">In offset order, all after the asked offset.</param>
/// <param name="Epoch">The topic's epoch.</param>
/// <param name="FirstOffset">The oldest offset still kept: when it is above the asked offset + 1, the messages in
/// between were pruned and the reader is told so.</param>
/// <param name="LastOffset">The newest offset when the read ran.</param>
public sealed record TopicRead(IReadOnlyList<TopicMessage> Messages, string Epoch, long FirstOffset, long LastOffset);
