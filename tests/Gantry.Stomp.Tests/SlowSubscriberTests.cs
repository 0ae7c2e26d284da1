using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Gantry.Protocol.Stomp;
using Gantry.Stomp.Tests.Infrastructure;

namespace Gantry.Stomp.Tests;

/// <summary>A server whose live subscribers each buffer 10 messages, and that waits long before dropping a client it
/// cut off, so the client always gets to read the ERROR that says where to resume.</summary>
public sealed class SmallBufferFixture : StompServerFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Gantry:Topics:SubscriberBuffer"] = "10",
        ["Gantry:Topics:SlowClientGrace"] = "00:10:00",
    };
}

/// <summary>
/// A subscriber that stops reading does not hold publishing back: the hub's bounded buffer overflows, the subscriber
/// is cut off, and what it reads afterwards is every message up to some offset, in order, then an ERROR naming the
/// offset to resume from, then the close.
/// </summary>
public sealed class SlowSubscriberTests(SmallBufferFixture fixture) : IClassFixture<SmallBufferFixture>
{
    private const int PayloadChars = 16 * 1024;
    private const int BatchSize = 4;

    /// <summary>Enough bytes that the kernel's buffers for the stalled connection (the server's send buffer grows up to
    /// tcp_wmem's maximum) cannot take them all: the server's writes to it must block and its buffer overflow.</summary>
    private static long BytesToStall()
    {
        var wmem = File.ReadAllText("/proc/sys/net/ipv4/tcp_wmem").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
        return 2 * long.Parse(wmem[2], CultureInfo.InvariantCulture) + 1024 * 1024;
    }

    [Fact]
    public async Task A_subscriber_that_stops_reading_is_cut_off_with_an_error_naming_its_resume_offset()
    {
        var server = fixture.Server;
        var topic = Topics.Fresh("slow");
        await using var slow = await server.OpenAsync(receiveBufferBytes: 4096);
        await slow.ConnectAsync();
        await slow.SendWithReceiptAsync(StompCommand.Subscribe, "", (StompHeaderNames.Id, "s"), (StompHeaderNames.Destination, "/topic/" + topic));

        // Publishing never waits on the stalled subscriber: every batch is committed while it reads nothing.
        var payload = new string('x', PayloadChars);
        var batches = (int)(BytesToStall() / PayloadChars / BatchSize) + 1;
        var batch = new JsonObject { ["messages"] = new JsonArray(Enumerable.Range(0, BatchSize).Select(_ => (JsonNode)new JsonObject { ["payload"] = payload }).ToArray()) };
        for (var i = 0; i < batches; i++)
        {
            using var response = await server.Http.PostAsJsonAsync($"/api/topics/{topic}/messages", batch);
            response.EnsureSuccessStatusCode();
        }

        long last = 0;
        StompFrame? frame;
        while ((frame = await slow.ReadAsync()) is { Command: StompCommand.Message })
        {
            var offset = long.Parse(frame["offset"]!, CultureInfo.InvariantCulture);
            Assert.Equal(last + 1, offset);
            last = offset;
        }
        Assert.NotNull(frame);
        Assert.Equal(StompCommand.Error, frame.Command);
        Assert.True(last < batches * BatchSize, $"the subscriber received all {last} messages: it was never cut off");
        Assert.Contains($"offset:{last + 1}", frame[StompHeaderNames.Message]);
        await slow.ExpectClosedAsync();
    }
}
