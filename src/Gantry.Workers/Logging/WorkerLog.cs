using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gantry.Workers.Config;

namespace Gantry.Workers.Logging;

/// <summary>
/// The parent's log on stdout: one line per event, plain (<c>time level message key=value…</c>) or JSON (one object
/// per line with <c>time</c>, <c>level</c>, <c>msg</c> and the fields). Lines from many children arrive at once, so
/// writes are serialized; the format can change on reload.
/// </summary>
public sealed class WorkerLog(TextWriter output, TimeProvider time, LogFormat format = WorkersConfig.DefaultLogFormat)
{
    /// <summary>Quotes and non-ASCII text stay as they are (a log is read by people and log shippers, never embedded in
    /// HTML, so the default encoder's <c>\u0022</c> and <c>\uC548</c> only make it unreadable); control characters are still
    /// escaped, so one event stays one line.</summary>
    private static readonly JavaScriptEncoder Readable = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    private static readonly JsonSerializerOptions ReadableString = new() { Encoder = Readable };

    private readonly object _lock = new();

    public LogFormat Format { get; set; } = format;

    public void Info(string message, params (string Key, object? Value)[] fields) => Write("info", message, fields);
    public void Warn(string message, params (string Key, object? Value)[] fields) => Write("warn", message, fields);
    public void Error(string message, params (string Key, object? Value)[] fields) => Write("error", message, fields);

    public void Write(string level, string message, (string Key, object? Value)[] fields)
    {
        var now = time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var line = Format == LogFormat.Json ? Json(now, level, message, fields) : Plain(now, level, message, fields);
        lock (_lock)
        {
            try
            {
                output.WriteLine(line);
                output.Flush();
            }
            catch (IOException)
            {
                // stdout is gone (a closed pipe): supervising the children matters more than the log.
            }
        }
    }

    private static string Plain(string now, string level, string message, (string Key, object? Value)[] fields)
    {
        var line = new StringBuilder().Append(now).Append(' ').Append(level.PadRight(5)).Append(' ').Append(message);
        foreach (var (key, value) in fields)
        {
            if (value is null) continue;
            var text = Text(value);
            line.Append(' ').Append(key).Append('=');
            line.Append(text.Length == 0 || text.Any(c => char.IsWhiteSpace(c) || c is '"' or '=') ? JsonSerializer.Serialize(text, ReadableString) : text);
        }
        return line.ToString();
    }

    private static string Json(string now, string level, string message, (string Key, object? Value)[] fields)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Readable }))
        {
            json.WriteStartObject();
            json.WriteString("time", now);
            json.WriteString("level", level);
            json.WriteString("msg", message);
            foreach (var (key, value) in fields)
            {
                switch (value)
                {
                    case null: break;
                    case int or long or double: json.WriteNumber(key, Convert.ToDouble(value, CultureInfo.InvariantCulture)); break;
                    case bool b: json.WriteBoolean(key, b); break;
                    default: json.WriteString(key, Text(value)); break;
                }
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Text(object value) => value switch
    {
        TimeSpan t => Durations.Format(t),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
