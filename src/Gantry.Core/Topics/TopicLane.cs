namespace Gantry.Core.Topics;

/// <summary>Where a topic's messages live.</summary>
public enum TopicLane
{
    /// <summary>In the store: they survive restarts and every server sharing the store reads them.</summary>
    Durable,
    /// <summary>In a ring buffer in this server's memory: the fastest, read only by subscribers of this server, lost
    /// when it stops (each start is a new epoch). Consumer groups need a durable topic.</summary>
    Memory,
}

/// <summary>How lanes are spelled on the wire and in the store (<c>durable</c>, <c>memory</c>).</summary>
public static class TopicLanes
{
    /// <summary>The store's spelling: null for durable, the default, so rows from before lanes read as durable.</summary>
    public static string? Name(TopicLane lane) => lane == TopicLane.Memory ? "memory" : null;

    public static TopicLane Parse(string? stored) => stored == "memory" ? TopicLane.Memory : TopicLane.Durable;

    /// <summary>A lane as a user wrote it; a clear error naming <paramref name="field"/> otherwise.</summary>
    public static TopicLane FromUser(string text, string field = "lane") => text.ToLowerInvariant() switch
    {
        "durable" => TopicLane.Durable,
        "memory" => TopicLane.Memory,
        _ => throw GantryException.Invalid(field, $"'{text}' is not a lane: use durable (stored, the default) or memory (this server's memory; lost on restart)."),
    };

    public static string Wire(TopicLane lane) => lane == TopicLane.Memory ? "memory" : "durable";
}
