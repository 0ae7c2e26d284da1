using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Gantry.Bench;

/// <summary>Options of the topic verbs (publish, fanout, group-drain): their own set, parsed like BenchOptions.</summary>
/// <param name="Messages">Messages timed (publish, group-drain) or published to the subscribers (fanout).</param>
/// <param name="Batch">Messages per publish request (1 = one message per request).</param>
/// <param name="Concurrency">publish: requests in flight at once (publishers).</param>
/// <param name="Rate">fanout: messages per second the publisher paces itself to; 0 = flat out.</param>
/// <param name="Max">group-drain: max per fetch; Wait: its long-poll seconds.</param>
internal sealed record TopicBenchOptions(string Server, string Store, int Messages, int Batch, int Concurrency, int PayloadBytes,
    int Warmup, int Subscribers, double Rate, int Members, int Max, double Wait, double Timeout, string? Between)
{
    public static TopicBenchOptions Parse(string[] args)
    {
        var o = new TopicBenchOptions("http://127.0.0.1:4780", "unknown", 20000, 1, 16, 64, 2000, 10, 0, 2, 100, 1, 120, null);
        for (var i = 1; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            double D() => double.Parse(Next(), CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--server" => o with { Server = Next() },
                "--store" => o with { Store = Next() },
                "--messages" => o with { Messages = int.Parse(Next()) },
                "--batch" => o with { Batch = int.Parse(Next()) },
                "--concurrency" => o with { Concurrency = int.Parse(Next()) },
                "--payload-bytes" => o with { PayloadBytes = int.Parse(Next()) },
                "--warmup" => o with { Warmup = int.Parse(Next()) },
                "--subscribers" => o with { Subscribers = int.Parse(Next()) },
                "--rate" => o with { Rate = D() },
                "--members" => o with { Members = int.Parse(Next()) },
                "--max" => o with { Max = int.Parse(Next()) },
                "--wait" => o with { Wait = D() },
                "--timeout" => o with { Timeout = D() },
                "--between" => o with { Between = Next() },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return o;
    }
}

/// <summary>
/// Topic benchmarks over Gantry's plain HTTP API (no SDK: topics have none yet), with request bodies built once as bytes
/// and responses scanned with Utf8JsonReader, so the load generator spends little per message.
/// </summary>
internal static class Topics
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");

    /// <summary>One client for every request of a run: up to a few thousand HTTP/1.1 connections to the server under test.</summary>
    private static HttpClient Client(string server) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 5000,
        UseProxy = false,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.None,
    })
    { BaseAddress = new Uri(server), Timeout = Timeout.InfiniteTimeSpan };

    private static string NewTopic(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A JSON string of exactly <paramref name="bytes"/> bytes (the quotes included): every message's payload.</summary>
    private static string Payload(int bytes) => "\"" + new string('x', Math.Max(0, bytes - 2)) + "\"";

    private static byte[] PublishBody(int batch, string payload)
    {
        if (batch == 1) return Encoding.UTF8.GetBytes($"{{\"payload\":{payload}}}");
        var sb = new StringBuilder("{\"messages\":[");
        for (var i = 0; i < batch; i++) sb.Append(i == 0 ? "" : ",").Append("{\"payload\":").Append(payload).Append('}');
        return Encoding.UTF8.GetBytes(sb.Append("]}").ToString());
    }

    private static async Task<byte[]> PostAsync(HttpClient http, string path, byte[] body, CancellationToken ct = default)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = JsonType;
        using var response = await http.PostAsync(path, content, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
        return bytes;
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
        return JsonDocument.Parse(bytes).RootElement.Clone();
    }

    private static double Percentile(long[] sortedTicks, int count, double p) =>
        count == 0 ? double.NaN : sortedTicks[Math.Clamp((int)Math.Ceiling(p * count) - 1, 0, count - 1)] * 1000.0 / Stopwatch.Frequency;

    // ---------------------------------------------------------------------------------------------------------------
    // publish: C publishers, each one request in flight, one message or a batch per request; messages/s.

    public static async Task<object> PublishAsync(TopicBenchOptions o)
    {
        using var http = Client(o.Server);
        var body = PublishBody(o.Batch, Payload(o.PayloadBytes));
        if (o.Warmup > 0)
        {
            Log.Info($"publish warm-up: {o.Warmup} messages (untimed)");
            await PublishRunAsync(http, NewTopic("warm"), body, o.Batch, Math.Max(1, o.Warmup / o.Batch), o.Concurrency);
        }
        var topic = NewTopic("pub");
        var requests = Math.Max(1, o.Messages / o.Batch);
        var messages = requests * o.Batch;
        Log.Info($"publishing {messages} messages to {topic}: {o.Concurrency} publishers, {o.Batch} per request");
        var (elapsed, latencies) = await PublishRunAsync(http, topic, body, o.Batch, requests, o.Concurrency);
        var info = await GetJsonAsync(http, $"/api/topics/{topic}");
        var count = info.GetProperty("message_count").GetInt64();
        if (count != messages) throw new InvalidOperationException($"published {messages} messages, the topic holds {count}");
        Array.Sort(latencies);
        return new
        {
            system = "gantry", store = o.Store, test = "publish", messages, batch = o.Batch, concurrency = o.Concurrency,
            payload_bytes = o.PayloadBytes, seconds = Math.Round(elapsed.TotalSeconds, 3),
            messages_per_sec = Math.Round(messages / elapsed.TotalSeconds),
            request_p50_ms = Math.Round(Percentile(latencies, latencies.Length, 0.50), 2),
            request_p99_ms = Math.Round(Percentile(latencies, latencies.Length, 0.99), 2),
        };
    }

    private static async Task<(TimeSpan Elapsed, long[] Latencies)> PublishRunAsync(HttpClient http, string topic, byte[] body, int batch,
        int requests, int concurrency)
    {
        var path = $"/api/topics/{topic}/messages";
        var latencies = new long[requests];
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                var t0 = Stopwatch.GetTimestamp();
                await PostAsync(http, path, body);
                latencies[i] = Stopwatch.GetTimestamp() - t0;
            }
        })));
        return (clock.Elapsed, latencies);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // fanout: S SSE subscribers (from=last), 1 publisher (paced at --rate messages/s, or flat out), each payload carrying
    // its send instant; deliveries/s and publish→receive latency. Publisher and subscribers share this process's clock.

    private sealed class Subscriber
    {
        public int Received;
        public long LastReceivedAt;
        public string? Ended;      // why the stream ended before the last message: "overflow", "closed", an error
        public string? OverflowData;
    }

    public static async Task<object> FanoutAsync(TopicBenchOptions o)
    {
        using var http = Client(o.Server);
        var topic = NewTopic("fan");
        await PostAsync(http, $"/api/topics/{topic}/messages", PublishBody(1, "\"created\""));
        var latencies = new long[(long)o.Messages * o.Subscribers];
        var latencyCount = -1L;
        using var stop = new CancellationTokenSource();
        var subs = Enumerable.Range(0, o.Subscribers).Select(_ => new Subscriber()).ToArray();

        Log.Info($"opening {o.Subscribers} SSE subscriptions on {topic}");
        var readers = new Task[subs.Length];
        var openClock = Stopwatch.StartNew();
        // Open in waves of 100 so the server's accept loop is not handed a thousand handshakes at once.
        for (var s = 0; s < subs.Length; s++)
        {
            var sub = subs[s];
            var index = s;
            var headers = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            readers[s] = Task.Run(() => ReadEventsAsync(http, topic, index, sub, o.Messages, headers, latencies, () => Interlocked.Increment(ref latencyCount), stop.Token));
            if (s % 100 == 99 || s == subs.Length - 1) await headers.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        // Subscribed = the server counts them as live subscribers of the topic.
        var deadline = Stopwatch.StartNew();
        int live;
        while ((live = (await GetJsonAsync(http, $"/api/topics/{topic}")).GetProperty("subscribers").GetInt32()) < o.Subscribers)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(60)) throw new InvalidOperationException($"only {live} of {o.Subscribers} subscribers live after 60 s");
            await Task.Delay(50);
        }
        Log.Info($"{live} subscribers live after {openClock.ElapsedMilliseconds} ms");

        var path = $"/api/topics/{topic}/messages";
        var pad = new string('x', Math.Max(0, o.PayloadBytes - 40));
        var clock = Stopwatch.StartNew();
        var start = Stopwatch.GetTimestamp();
        var publishLatencies = new long[(o.Messages + o.Batch - 1) / o.Batch];
        var body = new StringBuilder();
        for (var i = 0; i < o.Messages; i += o.Batch)
        {
            if (o.Rate > 0)
            {
                var due = start + (long)(i / o.Rate * Stopwatch.Frequency);
                var ahead = due - Stopwatch.GetTimestamp();
                if (ahead > Stopwatch.Frequency / 500) await Task.Delay(TimeSpan.FromSeconds((double)ahead / Stopwatch.Frequency - 0.001));
                while (Stopwatch.GetTimestamp() < due) Thread.SpinWait(20);
            }
            var sent = Stopwatch.GetTimestamp();
            body.Clear();
            var count = Math.Min(o.Batch, o.Messages - i);
            if (o.Batch > 1) body.Append("{\"messages\":[");
            for (var j = 0; j < count; j++)
                body.Append(j == 0 ? "" : ",").Append("{\"payload\":{\"seq\":").Append(i + j).Append(",\"sent\":").Append(sent)
                    .Append(",\"pad\":\"").Append(pad).Append("\"}}");
            if (o.Batch > 1) body.Append("]}");
            await PostAsync(http, path, Encoding.UTF8.GetBytes(body.ToString()));
            publishLatencies[i / o.Batch] = Stopwatch.GetTimestamp() - sent;
        }
        var published = clock.Elapsed;
        Log.Info($"published {o.Messages} in {published.TotalMilliseconds:0} ms; waiting for the subscribers");

        var all = Task.WhenAll(readers);
        if (await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(o.Timeout))) != all) Log.Info($"timed out after {o.Timeout} s");
        stop.Cancel();
        try { await all.WaitAsync(TimeSpan.FromSeconds(10)); } catch (Exception) { /* cancelled readers */ }

        var complete = subs.Count(s => s.Received == o.Messages);
        var delivered = subs.Sum(s => (long)s.Received);
        var last = subs.Where(s => s.Received > 0).Select(s => s.LastReceivedAt).DefaultIfEmpty(start).Max();
        var elapsed = (double)(last - start) / Stopwatch.Frequency;
        var n = (int)Math.Min(latencies.LongLength, Interlocked.Read(ref latencyCount) + 1);
        Array.Sort(latencies, 0, n);
        Array.Sort(publishLatencies);
        var overflowed = subs.Count(s => s.Ended == "overflow");
        var endings = subs.Where(s => s.Ended is not null).GroupBy(s => s.Ended!).ToDictionary(g => g.Key, g => g.Count());
        var overflowSample = subs.FirstOrDefault(s => s.OverflowData is not null)?.OverflowData;
        Log.Info($"{complete} of {o.Subscribers} subscribers got all {o.Messages} messages; {delivered} deliveries in {elapsed * 1000:0} ms; " +
                 $"endings: {string.Join(", ", endings.Select(e => $"{e.Key}={e.Value}"))}" + (overflowSample is null ? "" : $"; overflow event: {overflowSample}"));
        return new
        {
            system = "gantry", store = o.Store, test = "fanout", subscribers = o.Subscribers, messages = o.Messages,
            rate = o.Rate, batch = o.Batch, payload_bytes = o.PayloadBytes,
            publish_seconds = Math.Round(published.TotalSeconds, 3),
            publish_messages_per_sec = Math.Round(o.Messages / published.TotalSeconds),
            publish_p50_ms = Math.Round(Percentile(publishLatencies, publishLatencies.Length, 0.50), 2),
            seconds = Math.Round(elapsed, 3),
            deliveries = delivered,
            expected_deliveries = (long)o.Messages * o.Subscribers,
            deliveries_per_sec = Math.Round(delivered / elapsed),
            latency_p50_ms = Math.Round(Percentile(latencies, n, 0.50), 2),
            latency_p99_ms = Math.Round(Percentile(latencies, n, 0.99), 2),
            latency_max_ms = Math.Round(Percentile(latencies, n, 1.0), 2),
            complete_subscribers = complete,
            overflowed_subscribers = overflowed,
            other_endings = endings.Where(e => e.Key != "overflow").ToDictionary(e => e.Key, e => e.Value),
            overflow_event = overflowSample,
        };
    }

    private static readonly byte[] SentKey = "\"sent\":"u8.ToArray();

    /// <summary>Reads one subscription's event stream until it has <paramref name="expected"/> messages, recording each one's
    /// publish→receive time; notes an <c>overflow</c> notice or an early close.</summary>
    private static async Task ReadEventsAsync(HttpClient http, string topic, int index, Subscriber sub, int expected, TaskCompletionSource headers,
        long[] latencies, Func<long> slot, CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/topics/{topic}/events?from=last&client=bench-{index}");
            request.Headers.Accept.ParseAdd("text/event-stream");
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            response.EnsureSuccessStatusCode();
            headers.TrySetResult();
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[16 * 1024];
            int filled = 0;
            string? eventType = null;
            while (sub.Received < expected)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(filled), ct);
                if (read == 0) { sub.Ended ??= "closed"; return; }
                var now = Stopwatch.GetTimestamp();
                filled += read;
                var start = 0;
                int nl;
                while ((nl = Array.IndexOf(buffer, (byte)'\n', start, filled - start)) >= 0)
                {
                    var line = buffer.AsSpan(start, nl - start);
                    start = nl + 1;
                    if (line.Length == 0) { eventType = null; continue; } // end of an event
                    if (line.StartsWith("event: "u8)) eventType = Encoding.ASCII.GetString(line[7..]);
                    else if (line.StartsWith("data: "u8))
                    {
                        if (eventType is null or "message")
                        {
                            var at = line.IndexOf(SentKey);
                            if (at < 0) continue; // the message that created the topic, before the subscription
                            if (!Utf8Parser.TryParse(line[(at + SentKey.Length)..], out long sent, out _)) throw new FormatException("bad sent field");
                            var k = slot();
                            if (k < latencies.LongLength) latencies[k] = now - sent;
                            sub.Received++;
                            sub.LastReceivedAt = now;
                        }
                        else if (eventType == "overflow")
                        {
                            sub.Ended = "overflow";
                            sub.OverflowData = Encoding.UTF8.GetString(line[6..]);
                        }
                        else sub.Ended ??= eventType;
                    }
                }
                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
                    filled -= start;
                }
                if (filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            sub.Ended ??= "timed out";
        }
        catch (Exception e)
        {
            sub.Ended ??= e.GetType().Name + ": " + e.Message;
            headers.TrySetResult();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // group-drain: N messages published to a topic whose group exists, then M members each loop fetch(max, wait) → ack
    // all, until every message is acked; messages/s from the first fetch to the ack that completes the N.

    public static async Task<object> GroupDrainAsync(TopicBenchOptions o)
    {
        using var http = Client(o.Server);
        var payload = Payload(o.PayloadBytes);
        if (o.Warmup > 0)
        {
            Log.Info($"group warm-up: {o.Warmup} messages (untimed)");
            await GroupRunAsync(http, NewTopic("gwarm"), payload, o.Warmup, o);
        }
        var topic = NewTopic("grp");
        var (fill, drain, perMember, fetches) = await GroupRunAsync(http, topic, payload, o.Messages, o);
        var group = await GetJsonAsync(http, $"/api/topics/{topic}/groups/bench");
        var lag = group.GetProperty("lag").GetInt64();
        var inFlight = group.GetProperty("in_flight").GetInt64();
        if (lag != 0 || inFlight != 0) throw new InvalidOperationException($"after the drain the group reports lag {lag}, in flight {inFlight}");
        return new
        {
            system = "gantry", store = o.Store, test = "group-drain", messages = o.Messages, members = o.Members, max = o.Max, wait = o.Wait,
            payload_bytes = o.PayloadBytes, fill_seconds = Math.Round(fill.TotalSeconds, 3),
            fill_messages_per_sec = Math.Round(o.Messages / fill.TotalSeconds),
            seconds = Math.Round(drain.TotalSeconds, 3), messages_per_sec = Math.Round(o.Messages / drain.TotalSeconds),
            per_member = perMember, fetches,
        };
    }

    private static async Task<(TimeSpan Fill, TimeSpan Drain, int[] PerMember, int Fetches)> GroupRunAsync(HttpClient http, string topic, string payload,
        int messages, TopicBenchOptions o)
    {
        var basePath = $"/api/topics/{topic}/groups/bench";
        // The topic exists with one message; the group's first fetch places it after that one, before the backlog.
        await PostAsync(http, $"/api/topics/{topic}/messages", PublishBody(1, "\"created\""));
        var first = await PostAsync(http, basePath + "/fetch", """{"max":1,"wait":0,"member":"setup"}"""u8.ToArray());
        if (CountDeliveries(first, null) != 0) throw new InvalidOperationException("a new group should start after the newest message");

        const int fillBatch = 1000;
        var batches = (messages + fillBatch - 1) / fillBatch;
        var full = PublishBody(fillBatch, payload);
        var rest = messages % fillBatch == 0 ? full : PublishBody(messages % fillBatch, payload);
        var fillClock = Stopwatch.StartNew();
        var nextBatch = -1;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            int b;
            while ((b = Interlocked.Increment(ref nextBatch)) < batches)
                await PostAsync(http, $"/api/topics/{topic}/messages", b == batches - 1 ? rest : full);
        })));
        var fill = fillClock.Elapsed;
        if (o.Between is not null) Shell.Run(o.Between);

        var acked = 0;
        var fetches = 0;
        var perMember = new int[o.Members];
        var done = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var fetchBody = Encoding.UTF8.GetBytes($"{{\"max\":{o.Max},\"wait\":{o.Wait.ToString(CultureInfo.InvariantCulture)},\"member\":\"m");
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var members = Enumerable.Range(0, o.Members).Select(m => Task.Run(async () =>
        {
            var fetch = fetchBody.Concat(Encoding.UTF8.GetBytes($"{m}\"}}")).ToArray();
            var ack = new ArrayBufferWriter<byte>(64 * 1024);
            while (!stop.IsCancellationRequested)
            {
                byte[] response;
                try { response = await PostAsync(http, basePath + "/fetch", fetch, stop.Token); }
                catch (OperationCanceledException) when (stop.IsCancellationRequested) { return; }
                Interlocked.Increment(ref fetches);
                ack.Clear();
                ack.Write("{\"delivery_ids\":["u8);
                var n = CountDeliveries(response, ack);
                if (n == 0) continue;
                ack.Write("]}"u8);
                await PostAsync(http, basePath + "/ack", ack.WrittenSpan.ToArray());
                perMember[m] += n;
                if (Interlocked.Add(ref acked, n) >= messages) done.TrySetResult(clock.Elapsed);
            }
        })).ToArray();
        var drain = await done.Task.WaitAsync(TimeSpan.FromSeconds(o.Timeout));
        stop.Cancel();
        await Task.WhenAll(members);
        if (acked != messages) throw new InvalidOperationException($"acked {acked} deliveries, expected {messages}");
        Log.Info($"{topic}: filled {messages} in {fill.TotalMilliseconds:0} ms, drained in {drain.TotalMilliseconds:0} ms " +
                 $"({fetches} fetches; per member {string.Join(", ", perMember)})");
        return (fill, drain, perMember, fetches);
    }

    /// <summary>Counts the deliveries of a fetch response and, when <paramref name="ack"/> is given, appends their ids to
    /// it as a JSON array's items.</summary>
    private static int CountDeliveries(byte[] response, ArrayBufferWriter<byte>? ack)
    {
        var reader = new Utf8JsonReader(response);
        var n = 0;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("delivery_id"u8)) continue;
            reader.Read();
            if (ack is not null)
            {
                if (n > 0) ack.Write(","u8);
                ack.Write("\""u8);
                ack.Write(reader.ValueSpan); // an id is offset:attempt, no escapes
                ack.Write("\""u8);
            }
            n++;
        }
        return n;
    }
}
