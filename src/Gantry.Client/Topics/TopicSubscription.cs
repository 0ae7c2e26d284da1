using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Gantry.Contracts;

namespace Gantry.Client.Topics;

/// <summary>
/// One <see cref="GantryClient.SubscribeAsync"/>: reads the topic's Server-Sent Events and, when the connection drops
/// or the server cuts it off, opens a new one with <c>Last-Event-ID</c> set to the last offset received, so the caller
/// sees one sequence without gaps or repeats. Pattern subscriptions are live-only: they resume from new messages.
/// </summary>
internal sealed class TopicSubscription(GantryClient client, HttpClient http, string topic, SubscribeOptions options)
{
    private static readonly GantryJsonContext Wire = GantryJsonContext.Default;
    private readonly bool _pattern = topic.Contains('*') || topic.Contains('#');
    private long? _last = options.After;
    private string? _epoch;
    private TimeSpan _retry = options.ReconnectDelay;
    /// <summary>Why the server is about to close the stream (fell behind, stopping), when it said so.</summary>
    private string? _cut;

    private readonly record struct SseEvent(string Type, string Data);

    public async IAsyncEnumerable<TopicEvent> ReadAsync([EnumeratorCancellation] CancellationToken ct)
    {
        // The epoch the offsets belong to: sent on every reconnect, so a topic whose history was lost in between is
        // announced (EpochChanged) instead of being read from an offset that now means something else.
        if (!_pattern)
        {
            try
            {
                _epoch = (await client.GetTopicAsync(topic, ct).ConfigureAwait(false))?.Epoch;
            }
            catch (Exception ex) when (ex is HttpRequestException or TimeoutException || ex is GantryApiException api && (int)api.StatusCode >= 500)
            {
                // The server is not reachable yet: the connect loop below retries; offsets are then taken as they come.
            }
        }
        var failures = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var (response, reason) = await ConnectAsync(ct).ConfigureAwait(false);
            if (response is not null)
            {
                using (response)
                using (var idle = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                    using var reader = new StreamReader(stream, Encoding.UTF8);
                    while (true)
                    {
                        var (next, ended) = await NextEventAsync(reader, idle, ct).ConfigureAwait(false);
                        if (next is not { } e)
                        {
                            (reason, _cut) = (_cut ?? ended, null);
                            break;
                        }
                        if (e.Type == "message")
                        {
                            failures = 0;
                            var view = JsonSerializer.Deserialize(e.Data, Wire.MessageView)
                                       ?? throw new InvalidOperationException($"The server sent an empty event on topic {topic}.");
                            if (!_pattern) _last = view.Offset;
                            yield return new TopicEvent(topic, view, client.PayloadOptions);
                        }
                        else Notice(e);
                    }
                }
            }
            failures++;
            var delay = TimeSpan.FromTicks(Math.Min(options.MaxReconnectDelay.Ticks, _retry.Ticks << Math.Min(failures - 1, 16)));
            options.OnNotice?.Invoke(new TopicNotice(TopicNoticeKind.Reconnecting,
                $"{reason}; reconnecting in {delay.TotalSeconds:0.###} s", _last ?? 0));
            await Task.Delay(delay, ct).ConfigureAwait(false);
        }
    }

    private async Task<(HttpResponseMessage? Response, string Reason)> ConnectAsync(CancellationToken ct)
    {
        var query = new List<string>();
        if (_last is null || _pattern) query.Add("from=" + Uri.EscapeDataString(_pattern ? "last" : options.From));
        if (_epoch is not null) query.Add("epoch=" + Uri.EscapeDataString(_epoch));
        if (options.Client is not null) query.Add("client=" + Uri.EscapeDataString(options.Client));
        using var request = new HttpRequestMessage(HttpMethod.Get, GantryClient.TopicPath(topic, "events") + "?" + string.Join('&', query));
        if (_last is { } last && !_pattern) request.Headers.TryAddWithoutValidation("Last-Event-ID", last.ToString(CultureInfo.InvariantCulture));
        request.Headers.Accept.ParseAdd("text/event-stream");
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            return (null, $"could not reach {client.ServerUrl}: {ex.Message}");
        }
        if (response.IsSuccessStatusCode) return (response, "");
        using (response)
        {
            // The server restarting (503) or a proxy in between may pass; a refusal of the request itself will not.
            if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
                return (null, $"the server answered {(int)response.StatusCode}");
            throw await GantryClient.Problem(response, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Reads lines up to the next event (the SSE rules: <c>field: value</c>, data lines joined, a blank line
    /// ends the event, comments ignored). Null with the reason when the connection ended, failed or fell silent.</summary>
    private async Task<(SseEvent? Event, string Ended)> NextEventAsync(StreamReader reader, CancellationTokenSource idle, CancellationToken ct)
    {
        string type = "message";
        StringBuilder? data = null;
        try
        {
            while (true)
            {
                idle.CancelAfter(options.IdleTimeout);
                var line = await reader.ReadLineAsync(idle.Token).ConfigureAwait(false);
                if (line is null) return (null, "the server ended the stream");
                if (line.Length == 0)
                {
                    if (data is not null) return (new SseEvent(type, data.ToString()), "");
                    type = "message";
                    continue;
                }
                if (line[0] == ':') continue;
                var colon = line.IndexOf(':');
                var field = colon < 0 ? line : line[..colon];
                var value = colon < 0 ? "" : line[(colon + 1)..];
                if (value.StartsWith(' ')) value = value[1..];
                switch (field)
                {
                    case "event": type = value; break;
                    case "data": (data ??= new StringBuilder()).Append(data.Length > 0 ? "\n" : "").Append(value); break;
                    case "retry" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms):
                        _retry = TimeSpan.FromMilliseconds(Math.Max(ms, 1)); break;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, $"nothing arrived for {options.IdleTimeout.TotalSeconds:0.###} s");
        }
        catch (IOException ex)
        {
            return (null, $"the connection broke: {ex.Message}");
        }
        catch (HttpRequestException ex)
        {
            return (null, $"the connection broke: {ex.Message}");
        }
    }

    private void Notice(SseEvent e)
    {
        using var doc = JsonDocument.Parse(e.Data);
        var root = doc.RootElement;
        var reason = root.TryGetProperty("reason", out var r) ? r.GetString() ?? e.Type : e.Type;
        long Long(string name) => root.TryGetProperty(name, out var v) && v.TryGetInt64(out var n) ? n : 0;
        switch (e.Type)
        {
            case "truncated":
                options.OnNotice?.Invoke(new TopicNotice(TopicNoticeKind.Truncated, reason, Long("from"), Long("to")));
                break;
            case "epoch":
                _epoch = root.TryGetProperty("epoch", out var ep) && ep.GetString() is { Length: > 0 } epoch ? epoch : null;
                // The stream goes on from the oldest message of the new history; a reconnect before one arrives starts there too.
                if (!_pattern) _last = 0;
                options.OnNotice?.Invoke(new TopicNotice(TopicNoticeKind.EpochChanged, reason));
                break;
            case "overflow" or "stopping":
                // The server closes the stream next; the reconnect notice that follows gives this reason.
                _cut = reason;
                break;
        }
    }
}
