using Gantry.Core.Topics;

namespace Gantry.Stomp;

/// <summary>
/// What a <c>destination</c> header names. Only <c>/topic/NAME</c> (or a pattern such as <c>/topic/orders.*</c>)
/// exists in this front so far; <c>/queue/</c> is recognised so its refusal says it is not supported yet rather than
/// unknown.
/// </summary>
internal static class StompDestination
{
    public const string TopicPrefix = "/topic/";
    public const string QueuePrefix = "/queue/";

    /// <summary>The topic or pattern of a destination; throws <see cref="StompSessionException"/> naming it otherwise.</summary>
    public static TopicPattern Topic(string? destination, bool allowPattern)
    {
        if (destination is null) throw new StompSessionException("this frame needs a destination header, such as /topic/orders");
        if (destination.StartsWith(QueuePrefix, StringComparison.Ordinal))
            throw new StompSessionException($"destination {Show(destination)}: /queue/ destinations are not supported yet; use /topic/NAME");
        if (!destination.StartsWith(TopicPrefix, StringComparison.Ordinal))
            throw new StompSessionException($"unknown destination {Show(destination)}: destinations are /topic/NAME");
        var name = destination[TopicPrefix.Length..];
        var pattern = TopicPattern.Parse(name, "destination");
        if (!pattern.IsExact && !allowPattern)
            throw new StompSessionException($"destination {Show(destination)} is a pattern: send to one topic, subscribe to patterns");
        return pattern;
    }

    public static string ForTopic(string topic) => TopicPrefix + topic;

    /// <summary>A client's destination for a one-line message, cut short and without line breaks.</summary>
    public static string Show(string destination)
    {
        const int MaxShown = 120;
        var text = destination.Length <= MaxShown ? destination : destination[..MaxShown] + "…";
        return "'" + text.ReplaceLineEndings(" ") + "'";
    }
}
