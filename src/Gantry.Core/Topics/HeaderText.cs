using System.Text.Json;

namespace Gantry.Core.Topics;

/// <summary>How stores keep a message's headers in one text column: a JSON object of strings (null for none), the same
/// in every store, so a database read by hand shows them plainly.</summary>
public static class HeaderText
{
    public static string? Encode(IReadOnlyDictionary<string, string>? headers)
    {
        if (headers is null || headers.Count == 0) return null;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var (name, value) in headers) w.WriteString(name, value);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static IReadOnlyDictionary<string, string>? Decode(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text));
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            headers[name] = reader.GetString() ?? "";
        }
        return headers;
    }
}
