using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Contracts;

namespace Gantry.Server.Cli;

/// <summary>
/// How the CLI shows payloads and results: JSON as readable JSON, text as text, base64 only for bytes that are not
/// text, and, where the output is structured, which of the three it is.
/// </summary>
/// <remarks>
/// Everything here writes with <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>. The default encoder escapes
/// every non-ASCII character and the HTML-sensitive ones (<c>+ &lt; &gt; &amp; '</c>), so Korean text printed as
/// <c>\uC548\uB155</c> and times as <c>…\u002B00:00</c>. That escaping exists for JSON pasted into HTML or a script;
/// the CLI's output goes to a terminal, a file or a pipe (jq), where it protects nothing and only hides the text. The
/// relaxed encoder still escapes what JSON requires (quotes, backslashes, control characters), so the output stays
/// valid JSON, and a control character in a payload cannot reach the terminal as a raw escape sequence.
/// </remarks>
internal static class PayloadOutput
{
    /// <summary>For <c>--json</c> output: indented, readable.</summary>
    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The wire fields that hold base64; <c>--json</c> shows text in them as <c>payload_text</c> / <c>result_text</c>.</summary>
    private static readonly string[] Base64Fields = ["payload", "result"];

    /// <summary>The objects of a printed view that are jobs or schedules (the root, or the items of its list); the
    /// payloads inside them are the caller's data and are never searched.</summary>
    private static readonly string[] ItemLists = ["jobs", "schedules"];

    /// <summary>Prints a wire view as indented JSON, with text payloads and results as text.</summary>
    public static string ToJson(ReadOnlySpan<byte> wireJson)
    {
        var root = JsonNode.Parse(wireJson)!;
        if (root is JsonObject obj)
        {
            ShowTextFields(obj);
            foreach (var list in ItemLists)
            {
                if (obj[list] is not JsonArray items) continue;
                foreach (var item in items)
                {
                    if (item is JsonObject o) ShowTextFields(o);
                }
            }
        }
        return root.ToJsonString(Indented);
    }

    /// <summary>Replaces <c>payload_base64</c> by <c>payload_text</c> (and the same for results) where the bytes are
    /// text, in the field's place, so a reader sees which form the value has.</summary>
    private static void ShowTextFields(JsonObject obj)
    {
        foreach (var field in Base64Fields)
        {
            var name = field + "_base64";
            if (obj[name] is not JsonValue value || !value.TryGetValue(out string? base64)) continue;
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(base64);
            }
            catch (FormatException)
            {
                continue; // not ours to judge: leave it as the server sent it
            }
            if (Payloads.FormOf(bytes, out var text) != PayloadForm.Text) continue;
            var index = obj.IndexOf(name);
            obj.RemoveAt(index);
            obj.Insert(index, field + "_text", text);
        }
    }

    /// <summary>A payload or result for a table cell: its form ("json", "text", "base64") and its text.</summary>
    public static (string Form, string Text) ForTable(RawJson? json, string? base64)
    {
        if (json is { } j) return ("json", ReadableJson(j.Utf8.Span));
        if (base64 is null) return ("", "");
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return ("base64", base64);
        }
        return Payloads.FormOf(bytes, out var text) == PayloadForm.Text ? ("text", text!) : ("base64", base64);
    }

    /// <summary>The row name for a payload or result of that form: <c>payload (text)</c>.</summary>
    public static string Label(string name, string form) => form.Length == 0 ? name : $"{name} ({form})";

    /// <summary>A result for stdout (<c>gantry enqueue --wait</c>): the stored bytes as they are, so a pipe or a file gets
    /// exactly them, except JSON that hides characters behind <c>\u</c> escapes (as most JSON libraries write by
    /// default), which is rewritten with the characters themselves.</summary>
    public static ReadOnlyMemory<byte> ForStdout(ReadOnlyMemory<byte> bytes)
    {
        if (!HasUnicodeEscape(bytes.Span) || !RawJson.TryCreate(bytes, out _)) return bytes;
        return Encoding.UTF8.GetBytes(ReadableJson(bytes.Span));
    }

    /// <summary>JSON text as stored, or rewritten compactly without <c>\u</c> escapes where it has them.</summary>
    public static string ReadableJson(ReadOnlySpan<byte> json)
    {
        if (!HasUnicodeEscape(json)) return Encoding.UTF8.GetString(json);
        using var doc = JsonDocument.Parse(json.ToArray());
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Compact)) doc.RootElement.WriteTo(writer);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static bool HasUnicodeEscape(ReadOnlySpan<byte> json) => json.IndexOf("\\u"u8) >= 0;
}
