namespace Gantry.Workers.Supervisor;

/// <summary>
/// A line a child wrote to its log (stderr): the console logger's single-line form, <c>warn: Category[0] message</c>,
/// read back so the parent relays it at the child's own level with its category, rather than every child line at
/// info. A line in any other form (a handler's own writes to stderr) is relayed as it came, at info.
/// </summary>
public readonly record struct ChildLogLine(string Level, string? Category, string Message)
{
    public static ChildLogLine Parse(string line)
    {
        var text = line.Trim();
        if (text.Length > 6 && text[4] == ':' && text[5] == ' ' && LevelOf(text.AsSpan(0, 4)) is { } level)
        {
            var rest = text[6..];
            // "Category[EventId] message": the category has no spaces; the event id is in brackets.
            var space = rest.IndexOf(' ');
            var head = space < 0 ? rest : rest[..space];
            var bracket = head.IndexOf('[');
            if (bracket > 0 && head.EndsWith(']'))
                return new ChildLogLine(level, head[..bracket], space < 0 ? "" : rest[(space + 1)..]);
            return new ChildLogLine(level, null, rest);
        }
        return new ChildLogLine("info", null, text);
    }

    /// <summary>The console logger's four-letter level names, as the parent's log spells levels.</summary>
    private static string? LevelOf(ReadOnlySpan<char> name) => name switch
    {
        "trce" => "trace",
        "dbug" => "debug",
        "info" => "info",
        "warn" => "warn",
        "fail" => "error",
        "crit" => "error",
        _ => null,
    };
}
