namespace Gantry.Core.Topics;

/// <summary>A message as a publisher hands it to the engine, before validation: the id is optional (the server makes
/// one up), and so are the content type and headers.</summary>
public sealed record MessageDraft(ReadOnlyMemory<byte> Body, string? Id = null, string? ContentType = null,
    IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>Where a reader starts: after an offset, at the oldest kept message, only new messages, or the first message
/// published at or after a time.</summary>
public readonly record struct StartPosition(StartKind Kind, long Offset = 0, DateTimeOffset Time = default)
{
    public static StartPosition First => new(StartKind.First);
    public static StartPosition Last => new(StartKind.Last);
    /// <summary>Start with the message at <paramref name="offset"/> (so the reader continues after offset - 1).</summary>
    public static StartPosition At(long offset) => new(StartKind.Offset, offset);
    public static StartPosition After(long offset) => new(StartKind.Offset, offset + 1);
    public static StartPosition FromTime(DateTimeOffset time) => new(StartKind.Time, Time: time);

    /// <summary>Parses <c>first</c>, <c>last</c>, an offset (the first message to deliver) or an ISO 8601 time.</summary>
    public static StartPosition Parse(string text, string field)
    {
        if (text.Equals("first", StringComparison.OrdinalIgnoreCase) || text.Equals("earliest", StringComparison.OrdinalIgnoreCase)) return First;
        if (text.Equals("last", StringComparison.OrdinalIgnoreCase) || text.Equals("latest", StringComparison.OrdinalIgnoreCase)
            || text.Equals("next", StringComparison.OrdinalIgnoreCase) || text.Equals("new", StringComparison.OrdinalIgnoreCase)) return Last;
        if (long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var offset))
            return offset >= 1 ? At(offset) : throw GantryException.Invalid(field, "offsets start at 1.");
        if (text.Length >= 10 && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var time)) return FromTime(time);
        throw GantryException.Invalid(field,
            $"'{(text.Length <= 40 ? text : text[..40] + "…")}' is not a start position: use first, last, an offset (1 or more) or an ISO 8601 time.");
    }
}

public enum StartKind { First, Last, Offset, Time }
