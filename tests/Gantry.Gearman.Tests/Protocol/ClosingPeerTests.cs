using System.Buffers;
using System.IO.Pipelines;
using Gantry.Protocol.Gearman;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Gantry.Gearman.Tests.Protocol.Wire;
using T = Gantry.Protocol.Gearman.GearmanPacketType;

namespace Gantry.Gearman.Tests.Protocol;

/// <summary>
/// A worker that sends WORK_COMPLETE and closes its connection at once (<c>gearman -w -c 1</c> does) has its result
/// delivered: the close must not overtake the bytes sent before it. Kestrel may signal the close before the handler has
/// read what arrived first (seen with connection code on the thread pool, as in an application hosting Gantry: the
/// client waited forever). Here the worker's connection is a pipe whose close is signalled before the handler reads,
/// so the order is certain; the client is a real socket.
/// </summary>
[Trait("Server", "Gantry")]
public sealed class ClosingPeerTests(MemoryLaneFixture fixture) : IClassFixture<MemoryLaneFixture>
{
    [Fact]
    public async Task A_WORK_COMPLETE_whose_connection_is_already_signalled_closed_still_reaches_the_waiting_client()
    {
        var function = Function("close-after-complete");
        await using var client = await fixture.Server.ConnectAsync("client");
        await client.SendAsync(T.SubmitJob, B(function), B(""), B("job"));
        var handle = (await client.ExpectAsync(T.JobCreated)).Body.ToArray();

        var input = new Pipe();
        var output = new Pipe();
        using var closed = new CancellationTokenSource();
        var connection = new DefaultConnectionContext("worker", new DuplexPipe(input.Reader, output.Writer), new DuplexPipe(output.Reader, input.Writer))
        {
            ConnectionClosed = closed.Token,
        };
        var handler = ActivatorUtilities.CreateInstance<GearmanConnectionHandler>(fixture.Server.App.Services);
        var handling = handler.OnConnectedAsync(connection);

        await input.Writer.WriteAsync(RawGearman.Packet(T.CanDo, B(function)));
        await input.Writer.WriteAsync(RawGearman.Packet(T.GrabJob));
        var assign = await ReadPacketAsync(output.Reader);
        Assert.Equal(T.JobAssign, assign.Type);
        Assert.Equal(handle, assign.Field(0).ToArray());

        closed.Cancel(); // the close is known before the last packet is read
        await input.Writer.WriteAsync(RawGearman.Packet(T.WorkComplete, handle, B("done")));
        await input.Writer.CompleteAsync();
        await handling.WaitAsync(RawGearman.Wait);

        var complete = await client.ExpectAsync(T.WorkComplete);
        Assert.Equal("done", RawGearman.Fields(complete)[1]);
    }

    private static async Task<GearmanPacket> ReadPacketAsync(PipeReader reader)
    {
        while (true)
        {
            var read = await reader.ReadAsync().AsTask().WaitAsync(RawGearman.Wait);
            var buffer = read.Buffer;
            if (GearmanReader.TryRead(ref buffer, GearmanReadLimits.Default, out var packet, out _, out _) == GearmanReadStatus.Packet)
            {
                var copy = new GearmanPacket(packet.Magic, packet.Type, packet.Body.ToArray());
                reader.AdvanceTo(buffer.Start);
                return copy;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            Assert.False(read.IsCompleted, "the server closed the worker's connection without answering");
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}
