using System.Net.Sockets;
using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Functional;

/// <summary>A server whose live subscribers each buffer 10 messages (Gantry:Topics:SubscriberBuffer).</summary>
public abstract class SmallBufferFixture : ServerFixture
{
    public const int Buffer = 10;
    protected override IReadOnlyDictionary<string, string?> Settings =>
        TestSettings.Merge(base.Settings, new Dictionary<string, string?> { ["Gantry:Topics:SubscriberBuffer"] = Buffer.ToString() });
}

public sealed class SqliteSmallBufferFixture : SmallBufferFixture
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

public sealed class PostgresSmallBufferFixture : SmallBufferFixture
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync();
}

/// <summary>
/// One SSE subscriber that stops reading must not hold the others back: once the socket and its bounded buffer are
/// full it is cut off (an overflow event with resume_after, or its connection dropped), the readers keep receiving
/// every message in order, and the cut-off client resumes from history with Last-Event-ID, missing nothing.
/// </summary>
public abstract class SlowSseClientTests(ServerFixture fixture)
{
    private const int PayloadChars = 16 * 1024;
    /// <summary>Fewer than the buffer per round: a reader that keeps up never has more than this waiting for it.</summary>
    private const int RoundSize = 4;

    private static HttpClient SlowClient(Uri baseAddress) => new(new SocketsHttpHandler
    {
        // A small receive buffer, set before connecting, so the kernel holds little for the client that does not read.
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096, NoDelay = true };
            await socket.ConnectAsync(context.DnsEndPoint, ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
    }) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Enough bytes that the kernel's buffers for the stalled connection (the server's send buffer grows up to
    /// tcp_wmem's maximum) cannot take them all: the server's writes to it must block and its buffer overflow.</summary>
    private static long BytesToStall()
    {
        var wmem = File.ReadAllText("/proc/sys/net/ipv4/tcp_wmem").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
        return 2 * long.Parse(wmem[2]) + 1024 * 1024;
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_cut_off_while_readers_get_every_message_and_it_resumes_from_history()
    {
        var topic = "slow." + Guid.NewGuid().ToString("N")[..12];
        var http = fixture.Server.Http;
        var payload = new string('x', PayloadChars);
        Assert.Equal(1, (await http.ApiPostAsync($"/api/topics/{topic}/messages", $$"""{"payload":"{{payload}}"}""")).Json["offset"]!.GetValue<int>());

        using var slowHttp = SlowClient(fixture.Server.BaseAddress);
        using var slow = await SseReader.OpenAsync(slowHttp, $"/api/topics/{topic}/events?from=first&client=slow");
        var fast = new List<(SseReader Reader, List<long> Seen)>();
        for (var i = 0; i < 2; i++) fast.Add((await SseReader.OpenAsync(http, $"/api/topics/{topic}/events?from=first&client=fast{i}"), []));
        using var stop = new CancellationTokenSource();
        var readers = fast.Select(f => Task.Run(async () =>
        {
            while (await f.Reader.NextAsync(stop.Token) is { } e)
            {
                Assert.Equal("message", e.Event);
                lock (f.Seen) f.Seen.Add(e.Offset);
            }
        })).ToList();
        long LastSeen(List<long> seen) { lock (seen) return seen.Count == 0 ? 0 : seen[^1]; }

        var total = 1 + (int)(BytesToStall() / PayloadChars);
        total += RoundSize - (total - 1) % RoundSize;
        var batch = "{\"messages\":[" + string.Join(",", Enumerable.Repeat($$"""{"payload":"{{payload}}"}""", RoundSize)) + "]}";
        for (var published = 1; published < total; published += RoundSize)
        {
            var r = await http.ApiPostAsync($"/api/topics/{topic}/messages", batch);
            Assert.True(r.Status == System.Net.HttpStatusCode.OK, r.ToString());
            // Paced by the readers, not by the slow client: only it can fall behind.
            var last = published + RoundSize;
            await Eventually.TrueAsync(() => fast.All(f => LastSeen(f.Seen) >= last), $"the readers to receive offset {last}");
        }
        foreach (var (_, seen) in fast)
            lock (seen) Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), seen);

        // Now the slow client reads what reached it: a gap-free prefix, then either the overflow notice naming where to
        // resume or (if Kestrel already dropped the stalled connection) the connection's end mid-response.
        var received = new List<long>();
        SseEvent? overflow = null;
        try
        {
            while (await slow.NextAsync() is { } e)
            {
                if (e.Event == "overflow") { overflow = e; break; }
                Assert.Equal("message", e.Event);
                received.Add(e.Offset);
            }
        }
        catch (IOException)
        {
            // The server dropped the connection; what arrived before is all the client has.
        }
        Assert.Equal(Enumerable.Range(1, received.Count).Select(i => (long)i), received);
        Assert.True(received.Count < total, "the slow client received everything: it was never cut off, so the test proved nothing");
        if (overflow is not null) Assert.Equal(received.Count, overflow.Json["resume_after"]!.GetValue<long>());

        // Its subscription is gone from presence; the readers' are not.
        await Eventually.TrueAsync(async () => (await http.ApiGetAsync($"/api/topics/{topic}/subscribers")).Json["subscribers"]!.AsArray().Count == 2,
            "the slow subscriber to leave presence");

        using var resumed = await SseReader.OpenAsync(http, $"/api/topics/{topic}/events", lastEventId: received.Count.ToString());
        for (var expected = received.Count + 1L; expected <= total; expected++) Assert.Equal(expected, (await resumed.NextAsync())!.Offset);

        stop.Cancel();
        foreach (var (reader, _) in fast) reader.Dispose();
        await Task.WhenAll(readers.Select(t => t.ContinueWith(_ => { })));
    }
}

public sealed class SlowSseClientOnSqlite(SqliteSmallBufferFixture f) : SlowSseClientTests(f), IClassFixture<SqliteSmallBufferFixture>;

public sealed class SlowSseClientOnPostgres(PostgresSmallBufferFixture f) : SlowSseClientTests(f), IClassFixture<PostgresSmallBufferFixture>;
