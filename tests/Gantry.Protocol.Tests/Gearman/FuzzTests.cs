using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using Gantry.Protocol.Gearman;
using Xunit;
using static Gantry.Protocol.Tests.Gearman.Bytes;

namespace Gantry.Protocol.Tests.Gearman;

/// <summary>
/// Whatever arrives, the reader answers with a status and never throws, never consumes more than it was given, and
/// never returns a body larger than the input: one bad client must not crash the server (DESIGN.md, "Promises").
/// Seeded, so a failure names an input that can be replayed.
/// </summary>
public sealed class FuzzTests
{
    private const int Inputs = 20_000;
    private static readonly GearmanReadLimits Small = new() { MaxPacketBytes = 1024, MaxAdminLineBytes = 64 };

    [Fact]
    public void RandomAndMutatedInput_NeverThrows_AndNeverReadsPastTheInput()
    {
        var random = new Random(20240917);
        var valid = ValidPackets();
        var seen = new Dictionary<GearmanReadStatus, int>();
        var clock = Stopwatch.StartNew();

        for (var n = 0; n < Inputs; n++)
        {
            var kind = n % 5;
            var input = kind switch
            {
                0 => RandomBytes(random, random.Next(64), binaryStart: random.Next(2) == 0),
                1 => FlipBits(random, valid[random.Next(valid.Length)]),
                2 => Truncate(random, valid[random.Next(valid.Length)]),
                3 => CorruptSize(random, valid[random.Next(valid.Length)]),
                _ => Concat(valid[random.Next(valid.Length)], FlipBits(random, valid[random.Next(valid.Length)]), RandomBytes(random, random.Next(16), false)),
            };
            var layouts = new[] { Whole(input), Split(input, random.Next(input.Length + 1)), OneBytePerSegment(input) };
            var layout = layouts[random.Next(layouts.Length)];
            var limits = random.Next(2) == 0 ? Small : GearmanReadLimits.Default;

            foreach (var status in ReadEverything(layout, limits, input, n))
                seen[status] = seen.GetValueOrDefault(status) + 1;
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{Inputs} inputs took {clock.Elapsed}");
        // The mutations must actually reach every outcome, or the loop proves less than it claims.
        foreach (var status in Enum.GetValues<GearmanReadStatus>())
            Assert.True(seen.GetValueOrDefault(status) > 100, $"{status} was seen {seen.GetValueOrDefault(status)} times");
    }

    [Fact]
    public void EveryErrorCode_IsReachedByTheMutations()
    {
        var random = new Random(7);
        var valid = ValidPackets();
        var codes = new HashSet<string>();
        for (var n = 0; n < 5_000; n++)
        {
            var input = n % 2 == 0 ? FlipBits(random, valid[random.Next(valid.Length)]) : CorruptSize(random, valid[random.Next(valid.Length)]);
            var buffer = Whole(Concat(input, RandomBytes(random, 70, false)));
            while (true)
            {
                var status = GearmanReader.TryRead(ref buffer, Small, out _, out _, out var error);
                if (status == GearmanReadStatus.Error) codes.Add(error.Code);
                if (status is not (GearmanReadStatus.Packet or GearmanReadStatus.AdminLine)) break;
            }
        }

        Assert.Equal(["INVALID_COMMAND", "INVALID_MAGIC", "INVALID_PACKET", "LINE_TOO_LONG", "PACKET_TOO_LARGE"], codes.Order());
    }

    private static List<GearmanReadStatus> ReadEverything(ReadOnlySequence<byte> buffer, GearmanReadLimits limits, byte[] input, int n)
    {
        var statuses = new List<GearmanReadStatus>();
        long consumed = 0;
        while (true)
        {
            var before = buffer.Length;
            GearmanReadStatus status;
            GearmanPacket packet;
            string? line;
            GearmanProtocolError error;
            try
            {
                status = GearmanReader.TryRead(ref buffer, limits, out packet, out line, out error);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"input {n} ({Convert.ToHexString(input)}) threw {e}");
            }
            statuses.Add(status);
            var used = before - buffer.Length;
            consumed += used;

            // Plain checks, not Assert with an interpolated message: 20,000 inputs must stay fast.
            var ok = used >= 0 && consumed <= input.Length && status switch
            {
                GearmanReadStatus.Packet => used >= GearmanWriter.HeaderLength && FieldsFitTheBody(packet)
                    && packet.Body.Length == (packet.FieldCount == 0 ? 0 : used - GearmanWriter.HeaderLength),
                GearmanReadStatus.AdminLine => used > 0 && line is not null && line.Length <= used,
                GearmanReadStatus.Error => used == 0 && !string.IsNullOrEmpty(error.Code) && !string.IsNullOrEmpty(error.Message),
                _ => used == 0, // Incomplete leaves the buffer alone
            };
            if (!ok)
                throw new Xunit.Sdk.XunitException(
                    $"input {n} ({Convert.ToHexString(input)}): {status} after consuming {used} ({consumed} of {input.Length} in all); {packet} {line} {error}");
            if (status is not (GearmanReadStatus.Packet or GearmanReadStatus.AdminLine)) return statuses;
            if (buffer.IsEmpty) return statuses;
        }
    }

    private static bool FieldsFitTheBody(GearmanPacket packet)
    {
        var total = 0;
        for (var i = 0; i < packet.FieldCount; i++) total += packet.Field(i).Length;
        return total + Math.Max(packet.FieldCount - 1, 0) <= packet.Body.Length;
    }

    private static byte[][] ValidPackets()
    {
        var packets = new List<byte[]>();
        foreach (var type in Enum.GetValues<GearmanPacketType>())
            for (var seed = 1; seed <= 3; seed++)
                packets.Add(RoundTripTests.Write(seed == 2 ? GearmanMagic.Response : GearmanMagic.Request, type, RoundTripTests.RandomFields(type, seed)));
        packets.Add(Ascii("status\n"));
        packets.Add(Ascii("workers\r\n"));
        return packets.ToArray();
    }

    private static byte[] RandomBytes(Random random, int length, bool binaryStart)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        if (length > 0 && binaryStart) bytes[0] = 0;
        return bytes;
    }

    private static byte[] FlipBits(Random random, byte[] packet)
    {
        var copy = (byte[])packet.Clone();
        for (var flips = random.Next(1, 4); flips > 0; flips--)
        {
            // Mostly the header, where a flipped bit changes the framing rather than just the payload.
            var at = random.Next(2) == 0 ? random.Next(Math.Min(copy.Length, 12)) : random.Next(copy.Length);
            copy[at] ^= (byte)(1 << random.Next(8));
        }
        return copy;
    }

    private static byte[] Truncate(Random random, byte[] packet) => packet[..random.Next(packet.Length)];

    private static byte[] CorruptSize(Random random, byte[] packet)
    {
        var copy = (byte[])packet.Clone();
        if (copy.Length < 12 || copy[0] != 0) return FlipBits(random, copy);
        var size = random.Next(4) switch
        {
            0 => uint.MaxValue,
            1 => (uint)random.Next(),
            2 => (uint)Math.Max(0, copy.Length - 12 - random.Next(1, 8)), // shorter than the body: the rest becomes the next frame
            _ => (uint)(copy.Length - 12 + random.Next(1, 8)), // longer than the body: waits for bytes that never come
        };
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(8), size);
        return copy;
    }
}
