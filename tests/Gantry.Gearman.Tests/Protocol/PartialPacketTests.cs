using System.Buffers.Binary;
using Gantry.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Gantry.Gearman.Tests.Protocol.Wire;
using T = Gantry.Protocol.Gearman.GearmanPacketType;

namespace Gantry.Gearman.Tests.Protocol;

/// <summary>A short partial-packet timeout and a small bound on bytes held in partly received packets, so that a few
/// hundred kilobytes reach it (the settings a user would set; nothing here waits on a clock of its own).</summary>
public sealed class PartialPacketFixture : ProtocolServerFixture
{
    public const int MaxPacketBytes = 1024 * 1024;
    public const int MaxBufferedBytes = 1536 * 1024;

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Gantry:Gearman:PartialPacketTimeout"] = "00:00:01",
        ["Gantry:Gearman:MaxPacketBytes"] = MaxPacketBytes.ToString(),
        ["Gantry:Gearman:MaxBufferedBytes"] = MaxBufferedBytes.ToString(),
    };
}

/// <summary>
/// What one client can make the server hold with packets it never finishes, over raw sockets: a connection silent in the
/// middle of a packet (its header or its body) is sent ERROR TIMEOUT and closed, while a connection idle between packets
/// stays open; and when partly received packets on all connections would hold more than the bound, the connection
/// whose packet takes it over is sent ERROR SERVER_BUSY and closed, the others keep going, and the room comes back.
/// </summary>
[Trait("Server", "Gantry")]
public sealed class PartialPacketTests(PartialPacketFixture fixture) : IClassFixture<PartialPacketFixture>
{
    [Fact]
    public async Task A_connection_silent_in_the_middle_of_a_packet_is_closed_and_an_idle_one_stays_open()
    {
        await using var idle = await fixture.Server.ConnectAsync("idle between packets");
        await idle.SyncAsync();
        await using var header = await fixture.Server.ConnectAsync("half a header");
        await using var body = await fixture.Server.ConnectAsync("part of a body");

        await header.SendRawAsync([0, (byte)'R', (byte)'E', (byte)'Q', 0, 0], "6 of the 12 header bytes");
        var packet = RawGearman.Packet(T.SubmitJobBg, B(Function("partial")), B(""), new byte[100]);
        await body.SendRawAsync(packet[..40], "the header and 28 of the 100 body bytes");

        foreach (var silent in new[] { header, body })
        {
            var error = await silent.ExpectFieldsAsync(T.Error);
            Assert.Equal(GearmanConnectionHandler.TimeoutCode, error[0]);
            Assert.Contains("Gantry:Gearman:PartialPacketTimeout", error[1]);
            await silent.ExpectClosedAsync();
        }
        // The idle connection has waited longer than the others were given, and is still served.
        await idle.SyncAsync();
    }

    [Fact]
    public async Task The_connection_that_takes_partly_received_packets_past_the_bound_is_refused_and_the_others_go_on()
    {
        var guard = fixture.Server.App.Services.GetRequiredService<GearmanReadGuard>();
        var function = Function("buffered");
        await using var first = await fixture.Server.ConnectAsync("first large packet");
        await using var second = await fixture.Server.ConnectAsync("second large packet");
        var firstPacket = LargeSubmit(function, PartialPacketFixture.MaxPacketBytes - 1024);
        var secondPacket = LargeSubmit(function, 700 * 1024);

        // The first holds 900 KiB of its packet; the second's 700 KiB would take the total past 1.5 MiB.
        await first.SendRawAsync(firstPacket[..(900 * 1024)], "900 KiB of a packet of almost 1 MiB");
        await Eventually.TrueAsync(() => guard.CountedBytes >= 900 * 1024, "the server to hold the first 900 KiB", RawGearman.Wait);
        await second.SendRawAsync(secondPacket[..(secondPacket.Length - 1)], "all but the last byte of a 700 KiB packet");

        var error = await second.ExpectFieldsAsync(T.Error);
        Assert.Equal(GearmanConnectionHandler.BusyCode, error[0]);
        Assert.Contains("Gantry:Gearman:MaxBufferedBytes", error[1]);
        await second.ExpectClosedAsync();

        // The first connection was not disturbed: the rest of its packet makes a job.
        await first.SendRawAsync(firstPacket[(900 * 1024)..], "the rest of the first packet");
        await first.ExpectAsync(T.JobCreated);
        Assert.Equal(0, guard.CountedBytes);

        // The room is back: the packet refused before is taken now.
        await using var again = await fixture.Server.ConnectAsync("second packet again");
        await again.SendRawAsync(secondPacket, "the 700 KiB packet, whole");
        await again.ExpectAsync(T.JobCreated);
    }

    /// <summary>SUBMIT_JOB_BG with a payload of <paramref name="payloadBytes"/>.</summary>
    private static byte[] LargeSubmit(string function, int payloadBytes)
    {
        var packet = RawGearman.Packet(T.SubmitJobBg, B(function), B(""), new byte[payloadBytes]);
        Assert.Equal(packet.Length - 12, (int)BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(8)));
        return packet;
    }
}
