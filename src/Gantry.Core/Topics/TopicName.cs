namespace Gantry.Core.Topics;

/// <summary>
/// The rule for topic names and patterns, shared by every front. A name is segments joined by dots
/// (<c>orders.created</c>); each segment is letters, digits and <c>_ : -</c>, as queue names are. A pattern may use
/// <c>*</c> for exactly one segment and <c>#</c> for any number of trailing segments (<c>orders.#</c>), the wildcards
/// RabbitMQ's topic exchange and STOMP clients already know.
/// </summary>
public static class TopicName
{
    /// <summary>128 characters, as queue names: room for namespaced names without inviting payloads-as-names.</summary>
    public const int MaxLength = Queues.QueueName.MaxLength;

    public static bool IsValid(string? name) => Check(name, allowWildcards: false) is null;

    /// <summary>True when <paramref name="text"/> holds a wildcard (and so names many topics).</summary>
    public static bool IsPattern(string text) => text.Contains('*') || text.Contains('#');

    /// <summary>Throws a <see cref="GantryException"/> naming <paramref name="field"/> when the name is not valid.</summary>
    public static string Validate(string? name, string field = "topic") =>
        Check(name, allowWildcards: false) is { } problem ? throw GantryException.Invalid(field, problem) : name!;

    /// <summary>A topic name or a pattern; throws naming <paramref name="field"/> when it is neither.</summary>
    public static string ValidatePattern(string? pattern, string field = "topic") =>
        Check(pattern, allowWildcards: true) is { } problem ? throw GantryException.Invalid(field, problem) : pattern!;

    private static string? Check(string? name, bool allowWildcards)
    {
        if (string.IsNullOrEmpty(name)) return "a topic name is required.";
        if (name.Length > MaxLength) return $"topic names are at most {MaxLength} characters (got {name.Length}).";
        var segments = name.Split('.');
        for (var i = 0; i < segments.Length; i++)
        {
            var s = segments[i];
            if (s.Length == 0) return $"'{Shorten(name)}' is not a valid topic name: dots separate non-empty segments (orders.created).";
            if (allowWildcards && s == "*") continue;
            if (allowWildcards && s == "#")
            {
                if (i != segments.Length - 1) return $"'{Shorten(name)}': '#' matches the remaining segments, so it must be the last one (orders.#).";
                continue;
            }
            foreach (var c in s)
            {
                if (char.IsAsciiLetterOrDigit(c) || c is '_' or ':' or '-') continue;
                if (c is '*' or '#')
                    return allowWildcards
                        ? $"'{Shorten(name)}': a wildcard ('*' or '#') must be a whole segment (orders.*)."
                        : $"'{Shorten(name)}' is a pattern; publish to one topic (orders.created).";
                return $"'{Shorten(name)}' is not a valid topic name: use letters, digits and _ : - in segments separated by dots.";
            }
        }
        return null;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
