using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gantry.Contracts;

/// <summary>
/// A JSON value carried as its UTF-8 text, written and read without building a document for it: payloads
/// and results pass through the server untouched.
/// </summary>
[JsonConverter(typeof(RawJsonConverter))]
public readonly struct RawJson
{
    private RawJson(ReadOnlyMemory<byte> utf8) => Utf8 = utf8;

    /// <summary>The value's UTF-8 JSON text.</summary>
    public ReadOnlyMemory<byte> Utf8 { get; }

    /// <summary>Wraps <paramref name="utf8"/> if it is exactly one well-formed JSON value.</summary>
    public static bool TryCreate(ReadOnlyMemory<byte> utf8, out RawJson json)
    {
        json = default;
        if (utf8.IsEmpty) return false;
        // The reader does not check UTF-8 inside strings; bytes that are not UTF-8 must travel as base64.
        if (!System.Text.Unicode.Utf8.IsValid(utf8.Span)) return false;
        try
        {
            var reader = new Utf8JsonReader(utf8.Span, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read()) return false;
            reader.Skip();
            if (reader.Read()) return false; // more than one value
        }
        catch (JsonException)
        {
            return false;
        }
        json = new RawJson(utf8);
        return true;
    }

    /// <summary>Serializes <paramref name="value"/> with the given options.</summary>
    public static RawJson From<T>(T value, JsonSerializerOptions? options = null) =>
        new(JsonSerializer.SerializeToUtf8Bytes(value, options));

    internal static RawJson Trusted(ReadOnlyMemory<byte> utf8) => new(utf8);

    public override string ToString() => System.Text.Encoding.UTF8.GetString(Utf8.Span);
}

/// <summary>Writes the raw text as is; reads any JSON value by copying its text.</summary>
public sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        return RawJson.Trusted(System.Text.Encoding.UTF8.GetBytes(doc.RootElement.GetRawText()));
    }

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Utf8.Span, skipInputValidation: true);
}
