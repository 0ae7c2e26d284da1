using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Gantry.Contracts;
using Gantry.Core;
using Gantry.Core.Jobs;
using Microsoft.AspNetCore.Http;

namespace Gantry.Http;

/// <summary>Reads request bodies, route values and query strings, turning every malformed input into a
/// <see cref="GantryException"/> that names the field and says what is wrong.</summary>
internal static class RequestReading
{
    public static async Task<T> ReadJsonAsync<T>(this HttpRequest request, JsonTypeInfo<T> type) where T : class
    {
        if (request.ContentType is { Length: > 0 } contentType && !request.HasJsonContentType())
            throw new GantryException(GantryErrorKind.Invalid, $"body: send JSON with Content-Type: application/json (got '{contentType}').", "body");
        if (request.ContentLength == 0) throw GantryException.Invalid("body", JsonBodyErrors.EmptyBody);
        T? value;
        try
        {
            value = await JsonSerializer.DeserializeAsync(request.Body, type, request.HttpContext.RequestAborted);
        }
        catch (JsonException ex)
        {
            throw JsonBodyErrors.Explain(ex, type);
        }
        return value ?? throw GantryException.Invalid("body", "a JSON object is required.");
    }

    public static long JobId(string text)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0) return id;
        throw GantryException.Invalid("id", $"'{Shorten(text)}' is not a job id: job ids are positive integers.");
    }

    public static int? QueryInt(HttpRequest request, string name, int min, int max)
    {
        if (!request.Query.TryGetValue(name, out var values) || values.Count == 0 || string.IsNullOrEmpty(values[0])) return null;
        if (int.TryParse(values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max) return n;
        throw GantryException.Invalid(name, $"{name} must be a whole number between {min} and {max} (got '{Shorten(values[0]!)}').");
    }

    public static long? QueryLong(HttpRequest request, string name, bool allowZero = false)
    {
        if (!request.Query.TryGetValue(name, out var values) || values.Count == 0 || string.IsNullOrEmpty(values[0])) return null;
        if (long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && (n > 0 || (allowZero && n == 0))) return n;
        throw GantryException.Invalid(name, allowZero
            ? $"{name} must be 0 or a positive whole number (got '{Shorten(values[0]!)}')."
            : $"{name} must be a positive whole number (got '{Shorten(values[0]!)}').");
    }

    /// <summary>A number of seconds in the query string, checked against <paramref name="range"/>.</summary>
    public static TimeSpan? QuerySeconds(HttpRequest request, string name, TimeRange range)
    {
        if (!request.Query.TryGetValue(name, out var values) || values.Count == 0 || string.IsNullOrEmpty(values[0])) return null;
        if (double.TryParse(values[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            return range.FromSeconds(seconds, name);
        throw GantryException.Invalid(name, $"{name} must be a number of seconds (got '{Shorten(values[0]!)}').");
    }

    public static ReadOnlyMemory<byte> Bytes(RawJson? json, string? base64, string field)
    {
        try
        {
            return Payloads.FromWire(json, base64, field);
        }
        catch (FormatException ex)
        {
            // The message already names the field: the pair, or the _base64 one alone.
            var named = ex.Message.StartsWith(field + "_base64:", StringComparison.Ordinal) ? field + "_base64" : field;
            throw new GantryException(GantryErrorKind.Invalid, ex.Message, named);
        }
    }

    public static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
