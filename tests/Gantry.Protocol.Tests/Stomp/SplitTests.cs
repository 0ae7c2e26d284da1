using Gantry.Protocol.Stomp;
using Xunit;
using static Gantry.Protocol.Tests.Gearman.Bytes;
using static Gantry.Protocol.Tests.Stomp.StompBytes;

namespace Gantry.Protocol.Tests.Stomp;

/// <summary>
/// However the bytes arrive, the reader sees the same frames, heart-beats and errors: in two segments split at every
/// position, one byte per segment, and fed to one reader in chunks the way a pipe delivers them.
/// </summary>
public sealed class SplitTests
{
    // Every feature at once: heart-beats, CRLF, escapes, repeats, a NUL inside a content-length body, a NUL-ended body.
    private static readonly byte[] Stream = Utf8(
        "\nCONNECT\r\naccept-version:1.2\r\nhost:h\r\n\r\n\0\r\n" +
        "SEND\ndestination:/queue/a\\cb\nx:1\nx:2\ncontent-length:3\n\na\0b\0\n\n" +
        "SEND\ndestination:/topic/t\n\nhello\0" +
        "DISCONNECT\nreceipt:77\n\n\0");

    private static readonly StompReadLimits Tight = new() { MaxCommandBytes = 12, MaxHeaderLineBytes = 10, MaxHeaderBytes = 30, MaxHeaderCount = 2, MaxBodyBytes = 4 };

    private static readonly List<string> Expected =
    [
        HeartBeat,
        "CONNECT|accept-version=1.2|host=h|",
        HeartBeat,
        "SEND|destination=/queue/a:b|x=1|x=2|content-length=3|610062",
        HeartBeat, HeartBeat,
        "SEND|destination=/topic/t|68656C6C6F",
        "DISCONNECT|receipt=77|",
    ];

    [Fact]
    public void Whole_ReadsTheExpectedItems()
    {
        var (items, _, remaining) = ReadItems(Whole(Stream));
        Assert.Equal(Expected, items);
        Assert.Equal(0, remaining);
    }

    [Fact]
    public void TwoSegments_SplitAtEveryPosition_ReadTheSame()
    {
        for (var at = 0; at <= Stream.Length; at++)
            Assert.Equal(Expected, ReadItems(Split(Stream, at)).Items);
    }

    [Fact]
    public void OneBytePerSegment_ReadsTheSame()
    {
        Assert.Equal(Expected, ReadItems(OneBytePerSegment(Stream)).Items);
    }

    [Fact]
    public void FedInTwoChunks_CutAtEveryPosition_ReadsTheSame()
    {
        for (var at = 0; at <= Stream.Length; at++)
            Assert.Equal(Expected, Feed(Stream, [at]));
    }

    [Fact]
    public void FedOneByteAtATime_ReadsTheSame()
    {
        Assert.Equal(Expected, Feed(Stream, Enumerable.Range(1, Stream.Length - 1)));
    }

    [Fact]
    public void FedInThreeChunks_AtEveryPairOfPositions_ReadsTheSame()
    {
        for (var a = 0; a <= Stream.Length; a += 3)
            for (var b = a; b <= Stream.Length; b += 5)
                Assert.Equal(Expected, Feed(Stream, [a, b]));
    }

    public static TheoryData<string> BadInputs() =>
    [
        "SEND\nno colon here\n\n\0",
        "SEND\ncontent-length:2\n\nabc\0",
        "SEND\ncontent-length:x\n\n\0",
        "SEND\nx:\\t\n\n\0",
        "BOGUS\n\n\0",
        "SUBSCRIBEXX\n\n\0",
        "SEND\nabcdefghijk:1\n\n\0",
        "SEND\na:1\nb:2\nc:3\n\n\0",
        "SEND\n\nhello\0",
        "SEND\ncontent-length:5\n\nhello\0",
        "SEND\r\nabcdef:123\r\nabcdef:234\r\n\r\n\0",
        "SEND\nabc:123\nxyz:78\n1:2\n\n\0",
    ];

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Errors_AreTheSameErrorWhereverTheInputIsSplit(string input)
    {
        var bytes = Utf8(input);
        // Under the tight limits every input is an error; under the defaults some are valid: either way, the same.
        Assert.StartsWith("error ", ReadItems(Whole(bytes), Tight).Items[^1]);
        foreach (var limits in new[] { Tight, StompReadLimits.Default })
        {
            var expected = ReadItems(Whole(bytes), limits).Items;
            for (var at = 0; at <= bytes.Length; at++)
            {
                Assert.Equal(expected, ReadItems(Split(bytes, at), limits).Items);
                Assert.Equal(expected, Feed(bytes, [at], limits));
            }
            Assert.Equal(expected, Feed(bytes, Enumerable.Range(1, bytes.Length - 1), limits));
        }
    }
}
