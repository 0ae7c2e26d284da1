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
