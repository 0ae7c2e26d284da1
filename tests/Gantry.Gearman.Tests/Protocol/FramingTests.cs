using System.Buffers.Binary;
using System.Net;
using Gantry.Protocol.Gearman;
using Xunit;
using static Gantry.Gearman.Tests.Protocol.Wire;
using T = Gantry.Protocol.Gearman.GearmanPacketType;

namespace Gantry.Gearman.Tests.Protocol;

/// <summary>
/// Bad bytes on one connection get a Gearman ERROR packet and the end of that connection, and nothing else: other
/// connections in the middle of a job carry on, and no amount of garbage takes the server down (DESIGN.md, Promises).
/// </summary>
[Trait("Server", "Gantry")]
public sealed class FramingTests(MemoryLaneFixture fixture) : IClassFixture<MemoryLaneFixture>
{
    private ProtocolServer Server => fixture.Server;

    public static TheoryData<string> BadInputs =>
    [
        "wrong magic", "body larger than MaxPacketBytes", "unknown packet type 99", "unique id longer than 64 bytes",
        "long function name in SUBMIT_JOB", "long function name in CAN_DO",
    ];

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_gets_an_ERROR_packet_and_closes_only_that_connection(string input)
    {
        var function = Function("frame");
        await using var busy = await JobInProgress.StartAsync(Server, function);

        var (bytes, code) = input switch
        {
            "wrong magic" => (Cat("\0XYZ"u8.ToArray(), Header(T.SubmitJob, 3), B("f\0\0x")), "INVALID_MAGIC"),
            // The header alone: the server must refuse from the announced size, without waiting for the body.
            "body larger than MaxPacketBytes" => (HeaderOnly(T.SubmitJob, MemoryLaneFixture.MaxPacketBytes + 1), "PACKET_TOO_LARGE"),
            "unknown packet type 99" => (HeaderOnly((T)99, 0), "INVALID_COMMAND"),
            "unique id longer than 64 bytes" => (RawGearman.Packet(T.SubmitJob, B(function), B(new string('u', 65)), B("data")), null),
            "long function name in SUBMIT_JOB" => (RawGearman.Packet(T.SubmitJob, B(new string('f', 513)), B(""), B("data")), null),
            "long function name in CAN_DO" => (RawGearman.Packet(T.CanDo, B(new string('f', 513))), (string?)null),
            _ => throw new ArgumentOutOfRangeException(nameof(input)),
        };

        await using var bad = await Server.ConnectAsync("bad peer");
        await bad.SendRawAsync(bytes, input);
        var error = await bad.ExpectFieldsAsync(T.Error);
        if (code is not null) Assert.Equal(code, error[0]);
        else Assert.False(string.IsNullOrEmpty(error[0]), $"the ERROR packet has no code: [{string.Join(", ", error)}]");
        Assert.False(string.IsNullOrWhiteSpace(error[1]), "the ERROR packet should say what was wrong");
        await bad.ExpectClosedAsync();

        await busy.FinishAsync();
    }

    [Fact]
    public async Task Garbage_on_twenty_connections_leaves_the_server_running_and_other_work_undisturbed()
    {
        const int seed = 4730;
        var random = new Random(seed);
        var function = Function("garbage");
        await using var busy = await JobInProgress.StartAsync(Server, function);

        var inputs = Enumerable.Range(0, 20).Select(i => Garbage(random, i)).ToList();
        await Task.WhenAll(inputs.Select(async (input, i) =>
        {
            await using var peer = await Server.ConnectAsync($"garbage {i} ({input.What})");
            try
            {
                await peer.SendRawAsync(input.Bytes, input.What);
                if (i % 2 == 0) peer.Abort();
            }
            catch (IOException)
            {
                // The server may have closed the connection before everything was written: that is allowed.
            }
        }));

        var (status, _, text) = await Server.GetAsync("/health");
        Assert.True(status == HttpStatusCode.OK, $"/health after garbage (seed {seed}): {(int)status} {text}");
        await busy.FinishAsync();

        // And a job submitted afterwards runs normally.
        var after = Function("after");
        await using var next = await JobInProgress.StartAsync(Server, after);
        await next.FinishAsync();
    }

    [Fact]
    public async Task ECHO_REQ_comes_back_as_ECHO_RES_byte_for_byte()
    {
        await using var peer = await Server.ConnectAsync("client");
        var body = Cat(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), "\0\0tail\0"u8.ToArray());
        await peer.SendAsync(T.EchoReq, body);
        var echo = await peer.ExpectAsync(T.EchoRes);
        Assert.Equal(body, echo.Body.ToArray());
    }

    [Fact]
    public async Task OPTION_REQ_exceptions_is_accepted_and_an_unknown_option_gets_an_ERROR()
    {
        await using var peer = await Server.ConnectAsync("client");
        await peer.SendAsync(T.OptionReq, B("exceptions"));
        Assert.Equal(["exceptions"], await peer.ExpectFieldsAsync(T.OptionRes));

        await peer.SendAsync(T.OptionReq, B("no_such_option"));
        var error = await peer.ExpectFieldsAsync(T.Error);
        Assert.False(string.IsNullOrEmpty(error[0]));
        // Refusing an option is an answer, not a framing error: the connection stays usable.
        await peer.SyncAsync();
    }

    [Fact]
    public async Task SUBMIT_JOB_SCHED_with_a_minute_out_of_range_gets_INVALID_SCHEDULE_and_the_connection_stays_usable()
    {
        var function = Function("sched");
        await using var client = await Server.ConnectAsync("client");
        await client.SendAsync(T.SubmitJobSched, B(function), B(""), B("99"), B(""), B(""), B(""), B(""), B("data"));
        var error = await client.ExpectFieldsAsync(T.Error);
        Assert.Equal("INVALID_SCHEDULE", error[0]);

        await client.SyncAsync();
        await client.SendAsync(T.SubmitJobBg, B(function), B(""), B("data"));
        await client.ExpectAsync(T.JobCreated);
        await using var admin = await Server.ConnectAsync("admin");
        Assert.Contains($"{function}\t1\t0\t0", await admin.AdminListAsync("status"));
    }

    private static byte[] Header(T type, int size)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)type);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)size);
        return header;
    }

    private static byte[] HeaderOnly(T type, int size) => Cat("\0REQ"u8.ToArray(), Header(type, size));

    private static (string What, byte[] Bytes) Garbage(Random random, int i)
    {
        byte[] Noise(int n)
        {
            var bytes = new byte[n];
            random.NextBytes(bytes);
            return bytes;
        }
        switch (i % 5)
        {
            case 0:
            {
                var bytes = Noise(random.Next(1, 3000));
                bytes[0] = 0;
                return ("random bytes starting with NUL", bytes);
            }
            case 1:
                return ("a header with a random type and size, then noise",
                    Cat("\0REQ"u8.ToArray(), Header((T)random.Next(), random.Next()), Noise(random.Next(0, 200))));
            case 2:
            {
                var bytes = Noise(random.Next(1, 3000));
                if (bytes[0] == 0) bytes[0] = (byte)'x';
                return ("random bytes read as admin text", bytes);
            }
            case 3:
                return ("an admin line longer than the limit", Enumerable.Repeat((byte)'a', 5000).ToArray());
            default:
                // Known types whose bodies lack their NUL separators, then a header cut short.
                return ("packets with missing fields and a truncated header",
                    Cat(RawGearman.Packet(T.SubmitJob, B("no-separators")), RawGearman.Packet(T.WorkComplete, B("x")), "\0RE"u8.ToArray()));
        }
    }
}

/// <summary>
/// A foreground job held by a worker while its client waits: set up before something else happens on the server, and
/// finished afterwards to show that it was not disturbed (the worker's data and result reach the client unchanged).
/// </summary>
public sealed class JobInProgress : IAsyncDisposable
{
    private JobInProgress(RawGearman client, RawGearman worker, byte[] handle) => (Client, Worker, Handle) = (client, worker, handle);

    public RawGearman Client { get; }
    public RawGearman Worker { get; }
    public byte[] Handle { get; }

    public static async Task<JobInProgress> StartAsync(ProtocolServer server, string function)
    {
        var client = await server.ConnectAsync($"client of {function}");
        var worker = await server.ConnectAsync($"worker of {function}");
        await client.SendAsync(T.SubmitJob, B(function), B(""), B("work"));
        var handle = (await client.ExpectAsync(T.JobCreated)).Body.ToArray();
        await worker.SendAsync(T.CanDo, B(function));
        await worker.SendAsync(T.GrabJob);
        var assign = await worker.ExpectAsync(T.JobAssign);
        Assert.Equal(handle, assign.Field(0).ToArray());
        return new JobInProgress(client, worker, handle);
    }

    public async Task FinishAsync()
    {
        var data = Cat(Handle, "\0still here"u8.ToArray());
        await Worker.SendRawAsync(RawGearman.Packet(T.WorkData, Handle, B("still here")), "WORK_DATA");
        Assert.Equal(data, (await Client.ExpectAsync(T.WorkData)).Body.ToArray());
        await Worker.SendAsync(T.WorkComplete, Handle, B("done"));
        var complete = await Client.ExpectAsync(T.WorkComplete);
        Assert.Equal(Cat(Handle, "\0done"u8.ToArray()), complete.Body.ToArray());
        await Worker.SendAsync(T.GrabJob);
        await Worker.ExpectAsync(T.NoJob);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Worker.DisposeAsync();
    }
}
