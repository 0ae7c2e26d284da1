using System.Text.Encodings.Web;
using System.Text.Json;

namespace Gantry.Client;

/// <summary>How the SDK turns payloads and results into JSON unless told otherwise.</summary>
public static class PayloadJson
{
    /// <summary>
    /// Defaults to <see cref="JsonSerializerOptions.Web"/> (camelCase, case-insensitive reading) with
    /// <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>: a payload or result is stored as the bytes written
    /// here and shown as they are (<c>gantry job</c>, <c>gantry enqueue --wait</c>), so "안녕" must stay "안녕", not
    /// become <c>\uC548\uB155</c>, and "a+b" not <c>a\u002Bb</c>. The relaxed encoder is safe here because these
    /// bytes are data in JSON documents read by programs and printed to terminals and files; they are never pasted
    /// into HTML or a script unencoded, which is the only case the default encoder's extra escaping protects. It
    /// still escapes what JSON itself requires (quotes, backslashes, control characters), so the text is valid JSON.
    /// </summary>
    public static JsonSerializerOptions Default { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerOptions.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
