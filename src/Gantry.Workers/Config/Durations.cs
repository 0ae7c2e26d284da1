using System.Globalization;
using System.Text.RegularExpressions;

namespace Gantry.Workers.Config;

/// <summary>Durations as people write them in a config file: <c>500ms</c>, <c>30s</c>, <c>2m</c>, <c>1h</c>, <c>1.5s</c>.
/// A unit is required (is "30" seconds or milliseconds?), except for <c>0</c>.</summary>
public static partial class Durations
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (text.Trim() == "0") return true;
        var match = Pattern().Match(text.Trim());
        if (!match.Success) return false;
        var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var span = match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(amount),
            "s" => TimeSpan.FromSeconds(amount),
            "m" => TimeSpan.FromMinutes(amount),
            _ => TimeSpan.FromHours(amount),
        };
        if (span > MaxDuration) return false;
        duration = span;
        return true;
    }

    /// <summary>The shortest form that reads back to the same value: <c>30s</c>, <c>2m</c>, <c>500ms</c>.</summary>
    public static string Format(TimeSpan duration) => duration switch
    {
        { Ticks: 0 } => "0",
        _ when duration.TotalHours >= 1 && duration.TotalHours % 1 == 0 => $"{duration.TotalHours:0}h",
        _ when duration.TotalMinutes >= 1 && duration.TotalMinutes % 1 == 0 => $"{duration.TotalMinutes:0}m",
        _ when duration.TotalSeconds >= 1 && duration.TotalSeconds % 1 == 0 => $"{duration.TotalSeconds:0}s",
        _ => $"{duration.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)}ms",
    };

    /// <summary>A week: anything longer in a worker file is a typo, and it keeps timers far from their limits.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(7);

    public const string Expected = "a duration such as 500ms, 30s, 2m or 1h";

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)(ms|s|m|h)$")]
    private static partial Regex Pattern();
}
