using System.Net;
using System.Net.Sockets;
using System.Text;
using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Functional;

/// <summary>
/// Many SSE clients that never read cost the server a bounded amount of memory: what each can hold is its bounded
/// buffer of shared messages and Kestrel's bounded response buffer, not everything published since it stopped reading.
/// (That they are also disconnected soon is not asserted: see the report on Gantry:Topics:SlowClientGrace, which the
/// server does not apply; a stalled, cut-off connection stays until Kestrel's minimum data rate drops it.) Measured on a <c>gantry server</c> process from /proc, the resident
/// memory the operating system sees.
/// </summary>
public abstract class SlowClientMemoryTests : IAsyncLifetime
{
    private const int Clients = 100;
    private const int Buffer = 10;
    private const int PayloadChars = 16 * 1024;
    /// <summary>Fewer than the buffer per publish, paced by one reader that keeps up: a client is cut off because it
    /// stopped reading, not because one burst was larger than its buffer (which cuts off any client).</summary>
    private const int BatchSize = 4;

    private TestStore _store = null!;

    protected abstract Task<TestStore> CreateStoreAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private static long ProcKb(int pid, string field) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;

    [Fact]
    public async Task Memory_stays_bounded_with_many_clients_that_never_read_and_they_are_disconnected()
    {
        await using var server = await ServerProcess.StartAsync(_store,
            new Dictionary<string, string?>
            {
                ["GANTRY_TOPICS__SUBSCRIBERBUFFER"] = Buffer.ToString(),
                // A second to take the overflow notice: clients that never read are dropped then.
                ["GANTRY_TOPICS__SLOWCLIENTGRACE"] = "00:00:01",
            });
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        var topic = "mem." + Guid.NewGuid().ToString("N")[..12];
        await http.ApiPostAsync($"/api/topics/{topic}/messages", """{"payload":0}""");

        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < Clients; i++)
            {
                // A small receive buffer set before connecting: the client's kernel takes little, the server's must block.
                var s = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
                sockets.Add(s);
                await s.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.BaseAddress.Port));
                await s.SendAsync(Encoding.ASCII.GetBytes($"GET /api/topics/{topic}/events?from=last HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
            }
            using var reader = await SseReader.OpenAsync(http, $"/api/topics/{topic}/events?from=last&client=reader");
            async Task<int> Present() => (await http.ApiGetAsync($"/api/topics/{topic}/subscribers")).Json["subscribers"]!.AsArray().Count;
            await Eventually.TrueAsync(async () => await Present() == Clients + 1, "every client to be subscribed");

            var before = ProcKb(server.Process.Id, "VmRSS");
            // More per connection than the kernel buffers for it (the server's send buffer grows to tcp_wmem's maximum),
            // so every connection's writes block and its subscription overflows.
            var wmemMax = long.Parse(File.ReadAllText("/proc/sys/net/ipv4/tcp_wmem").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[2]);
            var batches = (int)((2 * wmemMax + 1024 * 1024) / (PayloadChars * BatchSize)) + 1;
            var published = (long)batches * BatchSize * PayloadChars;
            var batch = "{\"messages\":[" + string.Join(",", Enumerable.Repeat($$"""{"payload":"{{new string('x', PayloadChars)}}"}""", BatchSize)) + "]}";
            for (var i = 0; i < batches; i++)
            {
                var r = await http.ApiPostAsync($"/api/topics/{topic}/messages", batch);
                Assert.True(r.Status == HttpStatusCode.OK, r.ToString());
                var last = r.Json["messages"]![BatchSize - 1]!["offset"]!.GetValue<long>();
                while ((await reader.NextAsync())!.Offset < last) { }
            }

            // The peak, whenever it was (every stalled subscription has overflowed by now: each stream carried more than its kernel buffers). What may be held per client: its buffer's messages (shared by all, counted
            // once below), Kestrel's response buffer (64 KiB by default) and a frame being written, so 128 KiB is
            // generous. Shared, whatever the number of clients: the published messages as the server received, stored,
            // read back and encoded them before the garbage collector got to them (8 copies is generous), and 64 MiB
            // for the collector's own budget and the runtime's pools. Were any client's backlog unbounded, the server
            // would hold what the kernel could not take of every stream: about Clients x (published - wmemMax), hundreds
            // of MiB more than this.
            var growth = ProcKb(server.Process.Id, "VmHWM") - before;
            var bound = Clients * 128L * 1024 + Buffer * 2L * PayloadChars + 8 * published + 64L * 1024 * 1024;
            var unbounded = Clients * (published - wmemMax);
            Assert.True(bound < unbounded / 2, $"the bound ({bound >> 20} MiB) must be far below the unbounded case ({unbounded >> 20} MiB)");
            Assert.True(growth < bound, $"the server grew by {growth >> 20} MiB at its peak; the configuration bounds it to {bound >> 20} MiB");
            // Cut off and stuck in a write, each stalled client is dropped once its grace is over: only the reader is left.
            await Eventually.TrueAsync(async () => await Present() == 1, "every stalled client dropped after its grace");
        }
        finally
        {
            foreach (var s in sockets) s.Dispose();
        }
    }
}

public sealed class SlowClientMemoryOnSqlite : SlowClientMemoryTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

public sealed class SlowClientMemoryOnPostgres : SlowClientMemoryTests
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync();
}
