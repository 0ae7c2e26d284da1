using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace Gantry.Server.Tests.Infrastructure;

/// <summary>One SSE event as the wire carries it.</summary>
public sealed record SseEvent(string? Id, string Event, string Data)
{
    public long Offset => long.Parse(Id!, System.Globalization.CultureInfo.InvariantCulture);
    public JsonNode Json => JsonNode.Parse(Data)!;
}

/// <summary>An open event stream read event by event, as the SSE format defines (blank line ends an event; comments and
/// retry: lines are skipped). Null at the end of the response.</summary>
public sealed class SseReader(HttpResponseMessage response, Stream body) : IDisposable
{
    private readonly StreamReader _reader = new(body);

    public HttpResponseMessage Response { get; } = response;

    public static async Task<SseReader> OpenAsync(HttpClient http, string path, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseReader(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The next event, or null when the server ended the response.</summary>
    public async Task<SseEvent?> NextAsync(CancellationToken ct = default)
    {
        string? id = null, data = null;
        var type = "message";
        while (true)
        {
            var line = await _reader.ReadLineAsync(ct);
            if (line is null) return null;
            if (line.Length == 0)
            {
                if (data is not null) return new SseEvent(id, type, data);
                continue;
            }
            if (line.StartsWith(':') || line.StartsWith("retry:", StringComparison.Ordinal)) continue;
            var colon = line.IndexOf(':');
            var (field, value) = (line[..colon], line[(colon + 1)..].TrimStart(' '));
            switch (field)
            {
                case "id": id = value; break;
                case "event": type = value; break;
                case "data": data = value; break;
            }
        }
    }

    /// <summary>The next event; fails the test when the server ends the stream first or sends nothing for 20 seconds (a
    /// hang guard, not a timing assertion).</summary>
    public async Task<SseEvent> ExpectAsync()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await NextAsync(guard.Token) ?? throw new EndOfStreamException("the server ended the stream");
    }

    public void Dispose()
    {
        _reader.Dispose();
        Response.Dispose();
    }
}
