using System.Buffers;
using System.Text;
using Gantry.Protocol.Stomp;
using Xunit;

namespace Gantry.Protocol.Tests.Stomp;

/// <summary>
/// What the STOMP reader tests feed in and how they compare what comes out. Frames are compared through
/// <see cref="Describe"/>, one string per frame, so a failure shows every header and the body in readable form.
/// Segment layouts come from the Gearman tests' <c>Bytes</c> helper: a buffer's shape does not depend on the protocol.
/// </summary>
internal static class StompBytes
{
    public const string HeartBeat = "<heart-beat>";

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Command, each header as name=value (escapes undone), then the body's bytes in hex.</summary>
    public static string Describe(StompFrame frame) =>
        $"{StompCommands.Name(frame.Command)}|{string.Join("|", frame.Headers.Select(h => $"{h.Name}={h.Value}"))}|{Convert.ToHexString(frame.Body.Span)}";

    /// <summary>Reads until the buffer is used up or the reader stops: each frame described, heart-beats and errors as text.</summary>
    public static (List<string> Items, StompReadStatus Last, long Remaining) ReadItems(
        ReadOnlySequence<byte> buffer, StompReadLimits? limits = null, StompReader? reader = null)
    {
        reader ??= new StompReader(limits);
        var items = new List<string>();
        while (true)
        {
            var status = reader.TryRead(ref buffer, out var frame, out var error);
            switch (status)
            {
                case StompReadStatus.Frame: items.Add(Describe(frame!)); break;
                case StompReadStatus.HeartBeat: items.Add(HeartBeat); break;
                case StompReadStatus.Error: items.Add($"error {error.Code}"); return (items, status, buffer.Length);
                default: return (items, status, buffer.Length);
            }
            if (buffer.IsEmpty) return (items, status, buffer.Length);
        }
    }

    /// <summary>
    /// Feeds <paramref name="input"/> to one reader the way a pipe would: it arrives in chunks cut at
    /// <paramref name="cuts"/>, each call sees the unconsumed bytes plus the new chunk, and the reader keeps its
    /// progress between calls.
    /// </summary>
    public static List<string> Feed(byte[] input, IEnumerable<int> cuts, StompReadLimits? limits = null)
    {
        var reader = new StompReader(limits);
        var items = new List<string>();
        var unconsumed = Array.Empty<byte>();
        var previous = 0;
        foreach (var cut in cuts.Append(input.Length))
        {
            var buffer = Gearman.Bytes.Segments(unconsumed, input[previous..cut]);
            previous = cut;
            while (true)
            {
                var status = reader.TryRead(ref buffer, out var frame, out var error);
                if (status == StompReadStatus.Frame) items.Add(Describe(frame!));
                else if (status == StompReadStatus.HeartBeat) items.Add(HeartBeat);
                else if (status == StompReadStatus.Error) return [.. items, $"error {error.Code}"];
                else break;
            }
            unconsumed = buffer.ToArray();
        }
        return items;
    }

    /// <summary>Reads exactly one frame from the whole input and checks it used every byte.</summary>
    public static StompFrame ReadOne(byte[] bytes, StompReader? reader = null)
    {
        var buffer = Gearman.Bytes.Whole(bytes);
        var status = (reader ?? new StompReader()).TryRead(ref buffer, out var frame, out var error);
        Assert.True(status == StompReadStatus.Frame, $"{status}: {error}");
        Assert.Equal(0, buffer.Length);
        return frame!;
    }

    /// <summary>Reads the whole input and expects an error at the end of it, the buffer left as it was.</summary>
    public static StompProtocolError ReadError(byte[] bytes, StompReadLimits? limits = null)
    {
        var buffer = Gearman.Bytes.Whole(bytes);
        var reader = new StompReader(limits);
        while (true)
        {
            var before = buffer.Length;
            var status = reader.TryRead(ref buffer, out var frame, out var error);
            if (status == StompReadStatus.Error)
            {
                Assert.Equal(before, buffer.Length);
                Assert.Null(frame);
                Assert.False(string.IsNullOrWhiteSpace(error.Message));
                Assert.DoesNotContain('\n', error.Message);
                Assert.DoesNotContain('\r', error.Message);
                return error;
            }
            Assert.True(status is StompReadStatus.Frame or StompReadStatus.HeartBeat, $"expected an error, got {status}");
        }
    }
}
