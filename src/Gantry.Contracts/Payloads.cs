namespace Gantry.Contracts;

/// <summary>
/// How bytes travel in JSON: a payload (or result) that is one well-formed JSON value goes as JSON in
/// <c>payload</c>; anything else goes as base64 in <c>payload_base64</c>. Senders may use either field.
/// </summary>
public static class Payloads
{
    /// <summary>Splits bytes into the two wire fields.</summary>
    public static (RawJson? Json, string? Base64) ToWire(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.IsEmpty) return (null, null);
        return RawJson.TryCreate(bytes, out var json) ? (json, null) : (null, Convert.ToBase64String(bytes.Span));
    }

    /// <summary>What a payload's bytes are, for showing them to people: nothing, one JSON value, text that is not
    /// JSON (valid UTF-8 without control characters other than tab and line breaks), or binary.</summary>
    public static PayloadForm FormOf(ReadOnlySpan<byte> bytes, out string? text)
    {
        text = null;
        if (bytes.IsEmpty) return PayloadForm.Empty;
        if (!System.Text.Unicode.Utf8.IsValid(bytes)) return PayloadForm.Binary;
        var decoded = System.Text.Encoding.UTF8.GetString(bytes);
        if (RawJson.TryCreate(bytes.ToArray(), out _))
        {
            text = decoded;
            return PayloadForm.Json;
        }
        foreach (var c in decoded)
        {
            // Control characters (NUL, ESC, …) would garble a terminal or hide in a file: such bytes are shown as base64.
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r')) return PayloadForm.Binary;
        }
        text = decoded;
        return PayloadForm.Text;
    }

    /// <summary>Joins the two wire fields back into bytes; <paramref name="field"/> names them in errors.</summary>
    public static ReadOnlyMemory<byte> FromWire(RawJson? json, string? base64, string field)
    {
        if (json is not null && base64 is not null)
            throw new FormatException($"{field}: give either {field} or {field}_base64, not both.");
        if (json is { } j) return j.Utf8;
        if (base64 is null) return ReadOnlyMemory<byte>.Empty;
        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new FormatException($"{field}_base64: not valid base64.");
        }
    }
}

/// <summary>What a payload's bytes are; see <see cref="Payloads.FormOf"/>.</summary>
public enum PayloadForm
{
    /// <summary>No bytes.</summary>
    Empty,
    /// <summary>One well-formed JSON value (it travels in <c>payload</c>).</summary>
    Json,
    /// <summary>UTF-8 text that is not JSON (it travels in <c>payload_base64</c>, but is text).</summary>
    Text,
    /// <summary>Anything else (it travels in <c>payload_base64</c>).</summary>
    Binary,
}
