using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Gantry.Contracts;
using Gantry.Core;

namespace Gantry.Http;

/// <summary>
/// Says why a request body did not bind, in the API's own terms. System.Text.Json's messages are written for .NET
/// developers ("could not be converted to System.Nullable`1[System.Int32]", "Change the reader options"); a caller
/// needs the field as the API spells it (<c>jobs[0].priority</c>), what it takes ("a whole number"), or where the
/// JSON breaks (line and position). The field's wire type is looked up in the request's own contract metadata, by
/// the JSON path the exception carries, so nothing here depends on the wording of .NET's messages except the
/// optional hints for malformed JSON, which fall back to the position alone.
/// </summary>
internal static class JsonBodyErrors
{
    /// <summary>The error for <paramref name="ex"/>, thrown while reading a body of type <paramref name="root"/>.</summary>
    public static GantryException Explain(JsonException ex, JsonTypeInfo root)
    {
        var segments = ParsePath(ex.Path);
        var field = FieldName(segments);

        // The reader's own errors (the text is not JSON at all) come wrapped around a reader exception.
        if (ex.InnerException is JsonException || segments is null)
            return GantryException.Invalid(field ?? "body", NotJson(ex, field));

        var (parent, target) = Walk(root, segments);
        if (target is null && parent is not null && segments.Count > 0 && segments[^1] is string unknown)
            return GantryException.Invalid(field!, UnknownField(unknown, parent));
        if (target is null)
            return GantryException.Invalid(field ?? "body", $"this value does not fit the request{At(ex)}.");

        var what = Describe(target);
        return field is null
            ? GantryException.Invalid("body", $"the body must be a JSON {what[(what.IndexOf(' ') + 1)..]}{At(ex)}.")
            : GantryException.Invalid(field, $"{Last(field)} must be {what}{Invalid(target, ex)}.");
    }

    private static string NotJson(JsonException ex, string? field)
    {
        var where = $"line {Line(ex)}, position {Position(ex)}" + (field is null ? "" : $", in {field}");
        if (ex.LineNumber is 0 && ex.BytePositionInLine is 0 && ex.InnerException?.Message is { } m &&
            (m.Contains("end of data", StringComparison.OrdinalIgnoreCase) || m.Contains("any JSON tokens", StringComparison.OrdinalIgnoreCase)))
            return EmptyBody;
        if (ex.InnerException?.Message.Contains("depth", StringComparison.OrdinalIgnoreCase) == true)
            return $"the body nests more than {MaxDepth} levels deep ({where}).";
        return $"the body is not valid JSON ({where}){Hint(ex.InnerException?.Message)}.";
    }

    /// <summary>Plain words for the few malformed-JSON cases people actually hit; anything else gets the position alone.</summary>
    private static string Hint(string? readerMessage) => readerMessage switch
    {
        null => "",
        // Before "end of data": this message says "Expected end of data" too.
        _ when readerMessage.Contains("after a single JSON value", StringComparison.OrdinalIgnoreCase) => ": there is more after the JSON value",
        _ when readerMessage.Contains("end of data", StringComparison.OrdinalIgnoreCase) => ": it ends before the JSON is complete",
        _ when readerMessage.Contains("trailing comma", StringComparison.OrdinalIgnoreCase) => ": a trailing comma is not allowed",
        _ when readerMessage.Contains("comment", StringComparison.OrdinalIgnoreCase) => ": comments are not allowed",
        _ when readerMessage.Contains("invalid start of a property name", StringComparison.OrdinalIgnoreCase) => ": property names must be in double quotes",
        _ when readerMessage.Contains("invalid start of a value", StringComparison.OrdinalIgnoreCase) => ": expected a value there (strings go in double quotes)",
        _ => "",
    };

    /// <summary>What an empty body is told.</summary>
    public const string EmptyBody = "the body is empty; send a JSON object.";

    /// <summary>The reader's nesting limit: the serializer's default (the contracts do not change it).</summary>
    private const int MaxDepth = 64;

    private static string UnknownField(string name, JsonTypeInfo parent)
    {
        var known = string.Join(", ", parent.Properties.Select(p => p.Name));
        return $"there is no field '{Shorten(name)}' here; the fields are: {known}.";
    }

    /// <summary>What a caller must send for <paramref name="type"/>, in JSON's terms.</summary>
    private static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return "a string";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(int)) return $"a whole number between {int.MinValue} and {int.MaxValue}";
        if (type == typeof(long)) return "a whole number";
        // Every fractional number in the request contracts is a duration in seconds (delay, timeout, wait).
        if (type == typeof(double)) return "a number of seconds";
        if (type == typeof(DateTimeOffset)) return "a date and time in ISO 8601 form, such as 2030-01-31T09:00:00Z";
        if (type == typeof(RawJson)) return "a JSON value";
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>)) return "an array";
        return "an object";
    }

    /// <summary>Strings that are not UTF-8 fail as conversions too; say so rather than "must be a string".</summary>
    private static string Invalid(Type type, JsonException ex) =>
        type == typeof(string) && ex.InnerException is InvalidOperationException { Message: var m } && m.Contains("UTF-8", StringComparison.Ordinal)
            ? $" of valid UTF-8 text{At(ex)}"
            : At(ex);

    private static string At(JsonException ex) => ex.LineNumber is null ? "" : $" (line {Line(ex)}, position {Position(ex)})";

    // The exception counts lines and bytes from 0; people count from 1.
    private static long Line(JsonException ex) => (ex.LineNumber ?? 0) + 1;
    private static long Position(JsonException ex) => (ex.BytePositionInLine ?? 0) + 1;

    /// <summary>Follows <paramref name="segments"/> (property names and array indexes) from <paramref name="root"/>:
    /// the type at the end, and the object it belongs to; a null type when the last name is not a field there.</summary>
    private static (JsonTypeInfo? Parent, Type? Target) Walk(JsonTypeInfo root, IReadOnlyList<object> segments)
    {
        JsonTypeInfo? parent = null;
        Type? current = root.Type;
        foreach (var segment in segments)
        {
            if (current is null) return (parent, null);
            if (!root.Options.TryGetTypeInfo(Nullable.GetUnderlyingType(current) ?? current, out var info)) return (parent, null);
            if (segment is int)
            {
                current = info.ElementType;
                continue;
            }
            if (info.Kind != JsonTypeInfoKind.Object) return (parent, null);
            parent = info;
            current = info.Properties.FirstOrDefault(p => p.Name == (string)segment)?.PropertyType;
        }
        return (parent, current);
    }

    /// <summary><c>$.jobs[0].priority</c> as ["jobs", 0, "priority"]; <c>$['a.b']</c> as ["a.b"]. Null when there is no path.</summary>
    internal static List<object>? ParsePath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '$') return null;
        var segments = new List<object>();
        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                if (end < 0) end = path.Length;
                segments.Add(path[(i + 1)..end]);
                i = end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0) return segments;
                segments.Add(path[(i + 2)..end]);
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i + 1);
                if (end < 0 || !int.TryParse(path.AsSpan(i + 1, end - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                    return segments;
                segments.Add(index);
                i = end + 1;
            }
            else return segments;
        }
        return segments;
    }

    /// <summary>The field as the API's errors name fields: <c>jobs[0].priority</c>; null for the body itself.</summary>
    internal static string? FieldName(IReadOnlyList<object>? segments)
    {
        if (segments is null || segments.Count == 0) return null;
        var name = new StringBuilder();
        foreach (var s in segments)
        {
            if (s is int index) name.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
            else
            {
                if (name.Length > 0) name.Append('.');
                name.Append(Shorten((string)s));
            }
        }
        return name.ToString();
    }

    private static string Last(string field)
    {
        var dot = field.LastIndexOf('.');
        return dot < 0 ? field : field[(dot + 1)..];
    }

    private static string Shorten(string text) => RequestReading.Shorten(text);
}
