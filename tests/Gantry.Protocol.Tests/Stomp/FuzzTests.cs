using System.Buffers;
using System.Diagnostics;
using Gantry.Protocol.Stomp;
using Xunit;
using static Gantry.Protocol.Tests.Gearman.Bytes;
using static Gantry.Protocol.Tests.Stomp.StompBytes;

namespace Gantry.Protocol.Tests.Stomp;

/// <summary>
/// Whatever arrives, the reader answers with a status and never throws, never consumes more than it was given, never
/// returns a body larger than the input, and reads the same however the input is split: one bad client must not
/// crash the server (DESIGN.md, "Promises"). Seeded, so a failure names an input that can be replayed.
/// </summary>
public sealed class FuzzTests
{
    private const int Inputs = 10_000;
    private static readonly StompReadLimits Small = new() { MaxCommandBytes = 16, MaxHeaderLineBytes = 24, MaxHeaderBytes = 64, MaxHeaderCount = 3, MaxBodyBytes = 16 };

    private static readonly byte[][] Valid =
    [
        Utf8("CONNECT\naccept-version:1.2\nhost:h\nheart-beat:0,0\n\n\0"),
        Utf8("SEND\r\ndestination:/q\\c1\r\ncontent-length:3\r\n\r\na\0b\0"),
        Utf8("SUBSCRIBE\nid:0\ndestination:/topic/t\n\n\0\n"),
        Utf8("MESSAGE\nx:1\nx:2\n\nhello\0"),
        Utf8("\n\r\nACK\nid:\\\\\n\n\0"),
        Utf8("ERROR\nmessage:bad\\nthing\ncontent-length:0\n\n\0"),
    ];

    [Fact]
    public void MutatedInput_NeverThrows_NeverReadsPastTheInput_AndReadsTheSameWhenSplit()
    {
        var random = new Random(20250301);
        var seen = new Dictionary<StompReadStatus, int>();
        var codes = new HashSet<string>();
        var clock = Stopwatch.StartNew();

        for (var n = 0; n < Inputs; n++)
        {
            var input = Mutate(random, n);
            var limits = random.Next(2) == 0 ? Small : StompReadLimits.Default;
            var whole = ReadChecked(Whole(input), limits, input, n, seen, codes);
            var at = random.Next(input.Length + 1);
            var split = ReadChecked(Split(input, at), limits, input, n, seen, codes);
            var fed = Feed(input, [at], limits);
            if (!whole.SequenceEqual(split) || !whole.SequenceEqual(fed))
                throw new Xunit.Sdk.XunitException($"input {n} ({Convert.ToHexString(input)}) split at {at} read differently");
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{Inputs} inputs took {clock.Elapsed}");
        // The mutations must reach every outcome and every error, or the loop proves less than it claims.
        foreach (var status in Enum.GetValues<StompReadStatus>())
            Assert.True(seen.GetValueOrDefault(status) > 100, $"{status} was seen {seen.GetValueOrDefault(status)} times");
        Assert.Equal(typeof(StompProtocolErrorCodes).GetFields().Select(f => (string)f.GetValue(null)!).Order(), codes.Order());
    }

    private static List<string> ReadChecked(ReadOnlySequence<byte> buffer, StompReadLimits limits, byte[] input, int n,
        Dictionary<StompReadStatus, int> seen, HashSet<string> codes)
    {
        var reader = new StompReader(limits);
        var items = new List<string>();
        long consumed = 0;
        while (true)
        {
            var before = buffer.Length;
            StompReadStatus status;
            StompFrame? frame;
            StompProtocolError error;
            try
            {
                status = reader.TryRead(ref buffer, out frame, out error);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"input {n} ({Convert.ToHexString(input)}) threw {e}");
            }
            seen[status] = seen.GetValueOrDefault(status) + 1;
            var used = before - buffer.Length;
            consumed += used;
            var ok = used >= 0 && consumed <= input.Length && status switch
            {
                StompReadStatus.Frame => frame is not null && frame.Body.Length < used,
                StompReadStatus.HeartBeat => used is 1 or 2,
                StompReadStatus.Error => used == 0 && frame is null && !string.IsNullOrEmpty(error.Code)
                    && !string.IsNullOrEmpty(error.Message) && !error.Message.Contains('\n') && !error.Message.Contains('\r'),
                _ => used == 0,
            };
            if (!ok)
                throw new Xunit.Sdk.XunitException($"input {n} ({Convert.ToHexString(input)}): {status} after consuming {used}; {frame} {error}");
            if (status == StompReadStatus.Frame) items.Add(Describe(frame!));
            else if (status == StompReadStatus.HeartBeat) items.Add(HeartBeat);
            else if (status == StompReadStatus.Error)
            {
                codes.Add(error.Code);
                items.Add($"error {error.Code}");
                return items;
            }
            else return items;
            if (buffer.IsEmpty) return items;
        }
    }

    private static byte[] Mutate(Random random, int n)
    {
        var a = Valid[random.Next(Valid.Length)];
        var b = Valid[random.Next(Valid.Length)];
        var copy = Concat(a, b);
        switch (n % 6)
        {
            case 0: // flip bits
                for (var flips = random.Next(1, 4); flips > 0; flips--) copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
                return copy;
            case 1: // replace bytes with the ones that matter to the grammar
                ReadOnlySpan<byte> special = "\n\r\0:\\cnrx9 "u8;
                for (var k = random.Next(1, 4); k > 0; k--) copy[random.Next(copy.Length)] = special[random.Next(special.Length)];
                return copy;
            case 2: // truncate
                return copy[..random.Next(copy.Length)];
            case 3: // delete a run
                var at = random.Next(copy.Length);
                var length = random.Next(1, Math.Min(8, copy.Length - at) + 1);
                return [.. copy[..at], .. copy[(at + length)..]];
            case 4: // duplicate a run
                var from = random.Next(copy.Length);
                var run = copy[from..Math.Min(copy.Length, from + random.Next(1, 40))];
                return [.. copy[..from], .. run, .. run, .. copy[from..]];
            default: // random bytes after a valid frame
                var noise = new byte[random.Next(1, 48)];
                random.NextBytes(noise);
                return Concat(a, noise);
        }
    }
}
