namespace Gantry.Core.Topics;

/// <summary>
/// A subscription's topic selector: one topic, or a pattern whose <c>*</c> matches exactly one segment and whose
/// trailing <c>#</c> matches any number of segments, zero included (<c>orders.#</c> matches <c>orders</c> and
/// <c>orders.eu.created</c>).
/// </summary>
public sealed class TopicPattern
{
    private readonly string[] _segments;

    private TopicPattern(string text)
    {
        Text = text;
        _segments = text.Split('.');
        IsExact = !TopicName.IsPattern(text);
    }

    /// <summary>The pattern as written.</summary>
    public string Text { get; }

    /// <summary>Names one topic (no wildcard).</summary>
    public bool IsExact { get; }

    /// <summary>Parses (and validates, naming <paramref name="field"/>) a topic name or pattern.</summary>
    public static TopicPattern Parse(string text, string field = "topic") => new(TopicName.ValidatePattern(text, field));

    public bool Matches(string topic)
    {
        if (IsExact) return string.Equals(Text, topic, StringComparison.Ordinal);
        var i = 0;
        foreach (var range in topic.AsSpan().Split('.'))
        {
            if (i == _segments.Length) return false;
            var p = _segments[i];
            if (p == "#") return true;
            if (p != "*" && !topic.AsSpan(range).SequenceEqual(p)) return false;
            i++;
        }
        // The topic ran out: what is left of the pattern must be a lone '#', which matches zero segments.
        return i == _segments.Length || (i == _segments.Length - 1 && _segments[i] == "#");
    }

    public override string ToString() => Text;
}
