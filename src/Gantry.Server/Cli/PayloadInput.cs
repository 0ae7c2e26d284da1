using System.CommandLine;
using System.Text.Json;
using Gantry.Contracts;

namespace Gantry.Server.Cli;

/// <summary>
/// How a PAYLOAD argument is read: JSON is stored as JSON, anything else as its bytes. That is right for
/// <c>gantry enqueue q hello</c>, but <c>'{name:"Ada"}'</c> was meant as JSON and would be stored as text without a
/// word, and its worker would fail to parse it later. So text that starts like JSON but is not gets one warning line.
/// </summary>
internal static class PayloadInput
{
    /// <summary>Says the payload is text: no warning when it is not JSON.</summary>
    public static Option<bool> TextOption() => new("--text")
    {
        Description = "The payload is text, not JSON: store it as given without warning when it does not parse as JSON",
    };

    /// <summary>A PAYLOAD argument's bytes: the text itself, or stdin when it is <c>-</c>.</summary>
    public static async Task<byte[]> ReadAsync(string payload, CancellationToken ct)
    {
        if (payload != "-") return System.Text.Encoding.UTF8.GetBytes(payload);
        using var stdin = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        await stdin.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    /// <summary>The warning for <paramref name="payload"/>, or null when it is JSON or does not look meant as JSON.</summary>
    public static string? NotJsonWarning(ReadOnlySpan<byte> payload)
    {
        var start = payload.TrimStart(" \t\r\n"u8);
        if (start.IsEmpty || start[0] is not ((byte)'{' or (byte)'[' or (byte)'"')) return null;
        if (RawJson.TryCreate(payload.ToArray(), out _)) return null;
        if (!System.Text.Unicode.Utf8.IsValid(payload))
            return "warning: the payload starts like JSON but is not UTF-8 text, so it is stored as bytes, not JSON; pass --text to store it without this warning.";
        return $"warning: the payload is not valid JSON ({Where(payload)}), so it is stored as text, not JSON. JSON needs double quotes " +
               """around names and strings, e.g. '{"name":"Ada"}'; pass --text to store text without this warning.""";
    }

    private static string Where(ReadOnlySpan<byte> payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            while (reader.Read()) reader.Skip();
            return "it has more than one value";
        }
        catch (JsonException ex)
        {
            // The reader counts from 0; people count from 1.
            return $"line {(ex.LineNumber ?? 0) + 1}, position {(ex.BytePositionInLine ?? 0) + 1}";
        }
    }
}
