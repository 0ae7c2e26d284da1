using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Gantry.Server.Cli;

/// <summary>
/// The verbs' numeric (and time) flags, each parsed and range-checked before the verb runs, so that a bad value is one
/// line naming the flag and its range (exit <see cref="ExitCodes.Usage"/>) and never reaches the server, a .NET
/// overflow or a type name. Ranges are the server's own named limits where they are fixed, and the highest value any
/// server can be configured to accept where they are settings (the server then applies its own).
/// </summary>
internal static class Flags
{
    /// <summary>A number of seconds from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Option<double?> Seconds(string name, string description, TimeSpan min, TimeSpan max) => new(name)
    {
        Description = description,
        HelpName = "SECONDS",
        CustomParser = result => ParseSeconds(result, name, min, max),
    };

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Option<int?> WholeNumber(string name, string description, int min = int.MinValue, int max = int.MaxValue) => new(name)
    {
        Description = description,
        HelpName = "N",
        CustomParser = result => (int?)ParseWhole(result, name, min, max),
    };

    /// <summary>A job id as an option (<c>--before ID</c>).</summary>
    public static Option<long?> JobIdOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "ID",
        CustomParser = result => ParseJobId(result, name),
    };

    /// <summary>A job id as an argument (<c>gantry job ID</c>).</summary>
    public static Argument<long> JobIdArgument(string description) => new("ID")
    {
        Description = description,
        CustomParser = result => ParseJobId(result, "ID") ?? 0,
    };

    /// <summary>A point in time, ISO 8601.</summary>
    public static Option<DateTimeOffset?> Time(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "TIME",
        CustomParser = result =>
        {
            var text = Token(result);
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var time)) return time;
            result.AddError($"{name} is a time in ISO 8601, such as 2030-01-31T09:00:00Z or 2030-01-31T10:00:00+01:00; got '{text}'.");
            return null;
        },
    };

    internal static double? ParseSeconds(ArgumentResult result, string name, TimeSpan min, TimeSpan max)
    {
        var text = Token(result);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) &&
            seconds >= min.TotalSeconds && seconds <= max.TotalSeconds)
            return seconds;
        result.AddError($"{name} is a number of seconds from {Number(min.TotalSeconds)} to {Number(max.TotalSeconds)}{InDays(max)}; got '{text}'.");
        return null;
    }

    private static long? ParseWhole(ArgumentResult result, string name, long min, long max)
    {
        var text = Token(result);
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max) return n;
        result.AddError($"{name} is a whole number from {min} to {max}; got '{text}'.");
        return null;
    }

    private static long? ParseJobId(ArgumentResult result, string name)
    {
        var text = Token(result);
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0) return id;
        result.AddError($"{name} is a job id, a whole number from 1 up; got '{text}'.");
        return null;
    }

    private static string Token(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>" (3650 days)" for a range that ends in whole days, where seconds alone would be hard to read.</summary>
    private static string InDays(TimeSpan max) =>
        max >= TimeSpan.FromDays(2) && max.Ticks % TimeSpan.TicksPerDay == 0 ? $" ({max.TotalDays:0} days)" : "";
}
