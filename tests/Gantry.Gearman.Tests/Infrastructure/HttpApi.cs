using System.Net;
using System.Text;
using System.Text.Json;

namespace Gantry.Gearman.Tests.Infrastructure;

/// <summary>Plain calls to Gantry's HTTP API, answers kept as JSON.</summary>
public sealed class HttpApi(Uri baseAddress) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public async Task<(HttpStatusCode Status, JsonElement Body, string Text)> GetAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, Parse(text), text);
    }

    public async Task<(HttpStatusCode Status, JsonElement Body, string Text)> PostAsync(string path, string json)
    {
        using var response = await _http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, Parse(text), text);
    }

    /// <summary>The jobs of <paramref name="queue"/> as <c>GET /api/jobs?queue=</c> lists them.</summary>
    public async Task<List<JsonElement>> JobsAsync(string queue)
    {
        var (status, body, text) = await GetAsync($"/api/jobs?queue={Uri.EscapeDataString(queue)}");
        if (status != HttpStatusCode.OK) throw new InvalidOperationException($"GET /api/jobs?queue={queue}: {(int)status} {text}");
        return body.GetProperty("jobs").EnumerateArray().ToList();
    }

    /// <summary>A payload or result as bytes: the JSON text exactly as sent (field <paramref name="field"/>), or the
    /// bytes of <c>FIELD_base64</c>; empty when the job has neither.</summary>
    public static string BytesOf(JsonElement job, string field)
    {
        if (job.TryGetProperty(field, out var json) && json.ValueKind != JsonValueKind.Null) return json.GetRawText();
        if (job.TryGetProperty(field + "_base64", out var b64) && b64.ValueKind == JsonValueKind.String)
            return Encoding.UTF8.GetString(Convert.FromBase64String(b64.GetString()!));
        return "";
    }

    public static string StateOf(JsonElement job) => job.GetProperty("state").GetString() ?? "";

    private static JsonElement Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return default;
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return default;
        }
    }

    public void Dispose() => _http.Dispose();
}
