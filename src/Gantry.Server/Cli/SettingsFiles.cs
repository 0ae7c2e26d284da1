using System.Text.Json;
using System.Text.RegularExpressions;

namespace Gantry.Server.Cli;

/// <summary>Says why a settings file (<c>appsettings.json</c>, <c>--config FILE</c>) could not be loaded, naming the file
/// and, for bad JSON, the line and column.</summary>
internal static partial class SettingsFiles
{
    /// <param name="ex">What the configuration's JSON provider throws: "Failed to load configuration from file '…'",
    /// around the parser's reason.</param>
    public static string Unreadable(InvalidDataException ex)
    {
        var file = FileName().Match(ex.Message) is { Success: true } m ? m.Groups["file"].Value : "a settings file";
        for (Exception? inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is JsonException json)
            {
                var where = json.LineNumber is { } line
                    ? $" at line {line + 1}{(json.BytePositionInLine is { } column ? $", column {column + 1}" : "")}"
                    : "";
                return $"the settings file {file} is not valid JSON{where}: {Reason(json.Message)}";
            }
        }
        var reason = ex.InnerException?.Message ?? ex.Message;
        return $"the settings file {file} could not be read: {reason}";
    }

    /// <summary>The parser's message without the position it appends (" LineNumber: 3 | BytePositionInLine: 0."), which
    /// is said in words instead.</summary>
    private static string Reason(string message)
    {
        var reason = Position().Replace(message, "").Trim();
        // What a file cut short says, in fewer words.
        if (reason.StartsWith("Expected depth to be zero at the end of the JSON payload", StringComparison.Ordinal))
            return "the file ends inside an object or array (is it cut short, or a closing brace missing?).";
        return reason.EndsWith('.') ? reason : reason + ".";
    }

    [GeneratedRegex(@"file '(?<file>[^']+)'")]
    private static partial Regex FileName();

    [GeneratedRegex(@"\s*(Path: \S*\s*\|\s*)?LineNumber: \d+ \| BytePositionInLine: \d+\.?")]
    private static partial Regex Position();
}
