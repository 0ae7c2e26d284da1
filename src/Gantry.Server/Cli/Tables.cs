using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;

namespace Gantry.Server.Cli;

/// <summary>Readable tables on a terminal, and plain tables (wide, no colour) when output goes to a file or pipe.</summary>
internal static class Tables
{
    /// <summary>Width used when stdout is not a terminal, so piped tables do not wrap at 80 columns.</summary>
    private const int RedirectedWidth = 200;

    public static IAnsiConsole Console { get; } = Create();

    private static IAnsiConsole Create()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(System.Console.Out),
            ColorSystem = System.Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        if (System.Console.IsOutputRedirected) console.Profile.Width = RedirectedWidth;
        return console;
    }

    public static Table New(params string[] columns)
    {
        var table = new Table { Border = System.Console.IsOutputRedirected ? TableBorder.Simple : TableBorder.Rounded };
        foreach (var c in columns) table.AddColumn(new TableColumn(c).NoWrap());
        return table;
    }

    /// <summary><c>--json</c>: the wire view, indented and readable (see <see cref="PayloadOutput"/>).</summary>
    public static void PrintJson<T>(T value, JsonTypeInfo<T> type) =>
        System.Console.WriteLine(PayloadOutput.ToJson(JsonSerializer.SerializeToUtf8Bytes(value, type)));

    public static string Time(DateTimeOffset? time) => time?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss.fff") ?? "";

    public static string Millis(double? ms) => ms is { } v ? v.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) : "";

    public static string Age(double? seconds) => seconds switch
    {
        null => "",
        < 1 => $"{seconds * 1000:0} ms",
        < 120 => $"{seconds:0.#} s",
        < 7200 => $"{seconds / 60:0.#} min",
        _ => $"{seconds / 3600:0.#} h",
    };
}
