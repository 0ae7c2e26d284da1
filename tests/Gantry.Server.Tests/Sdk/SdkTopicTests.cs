using System.Collections.Concurrent;
using Gantry.Client;
using Gantry.Client.Topics;
using Gantry.Client.Workers;
using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Sdk;

/// <summary>The SDK's topic calls end to end: publish one and many, SubscribeAsync over SSE (and its resume after a
/// broken connection), and consumer-group handlers in the worker host.</summary>
public abstract class SdkTopicTests(ServerFixture fixture)
{
    private readonly InProcessServer _server = fixture.Server;

    private static string Topic() => "sdk." + Guid.NewGuid().ToString("N")[..12];

    public sealed record Order(int Number, string Item);

    [Fact]
    public async Task Published_messages_arrive_in_order_through_SubscribeAsync_with_their_ids_and_headers()
    {
        var topic = Topic();
        var one = await _server.Client.PublishAsync(topic, new Order(1, "tea"), new PublishOptions { Id = "o-1", Headers = new Dictionary<string, string> { ["k"] = "v" } });
        var many = await _server.Client.PublishManyAsync(topic, [_server.Client.Message(new Order(2, "cake")), _server.Client.Message(new Order(3, "pie"))]);
        var again = await _server.Client.PublishAsync(topic, new Order(1, "tea"), new PublishOptions { Id = "o-1" });
        Assert.Equal((1L, false), (one.Offset, one.Duplicate));
        Assert.Equal([2L, 3L], many.Select(m => m.Offset));
        Assert.Equal((1L, true), (again.Offset, again.Duplicate));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var got = new List<TopicEvent>();
        await foreach (var e in _server.Client.SubscribeAsync(topic, new SubscribeOptions { From = "first" }, cts.Token))
        {
            got.Add(e);
            if (got.Count == 3) break;
        }
        Assert.Equal([1L, 2L, 3L], got.Select(e => e.Offset));
        Assert.Equal(["tea", "cake", "pie"], got.Select(e => e.GetPayload<Order>()!.Item));
        Assert.Equal(("o-1", "v"), (got[0].Id, got[0].Headers["k"]));
    }

    [Fact]
    public async Task A_broken_connection_is_reopened_and_resumes_after_the_last_offset_without_gap_or_repeat()
    {
        var topic = Topic();
        var breaker = new BreakableHandler();
        using var client = new GantryClient(new GantryClientOptions { ServerUrl = _server.BaseAddress }, breaker);
        var notices = new ConcurrentQueue<TopicNotice>();
        for (var i = 1; i <= 3; i++) await _server.Client.PublishAsync(topic, i);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var options = new SubscribeOptions { From = "first", ReconnectDelay = TimeSpan.FromMilliseconds(50), OnNotice = notices.Enqueue };
        var offsets = new List<long>();
        await foreach (var e in client.SubscribeAsync(topic, options, cts.Token))
        {
            offsets.Add(e.Offset);
            if (e.Offset == 2)
            {
                // Messages 4 and 5 are published while the connection is down: the resumed stream must bring 3, 4, 5.
                breaker.BreakAll();
                await _server.Client.PublishAsync(topic, 4);
                await _server.Client.PublishAsync(topic, 5);
            }
            if (e.Offset == 5) break;
        }
        Assert.Equal([1L, 2L, 3L, 4L, 5L], offsets);
        Assert.True(breaker.Connections >= 2, $"expected a second connection, saw {breaker.Connections}");
        Assert.Contains(notices, n => n.Kind == TopicNoticeKind.Reconnecting);
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_yet_is_retried_not_thrown()
    {
        var port = FreePort.Next();
        using var client = new GantryClient($"http://127.0.0.1:{port}");
        var notices = new ConcurrentQueue<TopicNotice>();
        using var cts = new CancellationTokenSource();
        var options = new SubscribeOptions { ReconnectDelay = TimeSpan.FromMilliseconds(20), OnNotice = n => { notices.Enqueue(n); if (notices.Count >= 2) cts.Cancel(); } };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in client.SubscribeAsync(Topic(), options, cts.Token)) { }
        });
        Assert.All(notices, n => Assert.Equal(TopicNoticeKind.Reconnecting, n.Kind));
        Assert.Contains("could not reach", notices.First().Reason);
    }

    [Fact]
    public async Task A_bad_topic_name_throws_instead_of_retrying()
    {
        var ex = await Assert.ThrowsAsync<GantryApiException>(async () =>
        {
            await foreach (var _ in _server.Client.SubscribeAsync("bad name!", new SubscribeOptions())) { }
        });
        Assert.Contains("topic", ex.Message);
    }

    [Fact]
    public async Task Group_members_in_two_worker_hosts_share_the_messages_and_a_throwing_handler_gets_its_message_again()
    {
        var topic = Topic();
        var probe = new GroupProbe();
        await _server.Client.PublishAsync(topic, -1); // the topic exists, so the group can be declared from first
        await using var a = await WorkerHost.StartAsync(_server.BaseAddress, w => w.AddGroupHandler<RecordingHandler>(topic, "g", concurrency: 2, from: "first"), [probe]);
        await using var b = await WorkerHost.StartAsync(_server.BaseAddress, w => w.AddGroupHandler<RecordingHandler>(topic, "g", concurrency: 2, from: "first"), [probe]);
        var batch = Enumerable.Range(0, 30).Select(i => _server.Client.Message(i)).ToList();
        await _server.Client.PublishManyAsync(topic, batch);

        await Eventually.TrueAsync(() => Task.FromResult(probe.Acked.Count == 31), "all 31 messages handled");
        Assert.Equal(31, probe.Acked.Keys.Distinct().Count());
        // Message 7 threw on its first delivery and was handled on its second.
        Assert.Equal(2, probe.Acked[7]);
        await Eventually.TrueAsync(async () => (await _server.Client.GetGroupAsync(topic, "g")).Lag == 0, "the group is committed to the end");
    }

    public sealed class GroupProbe
    {
        /// <summary>Payload → the delivery attempt that succeeded.</summary>
        public ConcurrentDictionary<int, int> Acked { get; } = new();
    }

    public sealed class RecordingHandler(GroupProbe probe) : MessageHandler<int>
    {
        protected override Task HandleAsync(int payload, MessageContext message, CancellationToken cancellationToken)
        {
            if (payload == 7 && message.Attempt == 1) throw new InvalidOperationException("boom on the first delivery");
            if (!probe.Acked.TryAdd(payload, message.Attempt)) throw new InvalidOperationException($"message {payload} handled twice");
            return Task.CompletedTask;
        }
    }

    /// <summary>Real sockets to the real server, with a switch that breaks every open response stream the way a dropped
    /// connection does (reads fail with an I/O error).</summary>
    private sealed class BreakableHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        private readonly ConcurrentBag<BreakableStream> _open = [];
        private int _connections;

        public int Connections => Volatile.Read(ref _connections);

        public void BreakAll()
        {
            foreach (var s in _open) s.Break();
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var response = await base.SendAsync(request, ct);
            if (request.RequestUri!.AbsolutePath.EndsWith("/events", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _connections);
                var stream = new BreakableStream(await response.Content.ReadAsStreamAsync(ct));
                _open.Add(stream);
                var content = new StreamContent(stream);
                foreach (var h in response.Content.Headers) content.Headers.TryAddWithoutValidation(h.Key, h.Value);
                response.Content = content;
            }
            return response;
        }
    }

    private sealed class BreakableStream(Stream inner) : Stream
    {
        private readonly CancellationTokenSource _broken = new();

        public void Break() => _broken.Cancel();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _broken.Token);
            try
            {
                return await inner.ReadAsync(buffer, linked.Token);
            }
            catch (OperationCanceledException) when (_broken.IsCancellationRequested)
            {
                inner.Dispose();
                throw new IOException("the connection was broken by the test");
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}

public sealed class SdkTopicsOnSqlite(SqliteServerFixture f) : SdkTopicTests(f), IClassFixture<SqliteServerFixture>;

public sealed class SdkTopicsOnPostgres(PostgresServerFixture f) : SdkTopicTests(f), IClassFixture<PostgresServerFixture>;
