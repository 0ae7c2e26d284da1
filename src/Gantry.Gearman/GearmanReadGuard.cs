using System.Collections.Concurrent;
using System.IO.Pipelines;
using Microsoft.Extensions.Options;

namespace Gantry.Gearman;

/// <summary>
/// Bounds what partly received packets can make the server hold. A connection's reader keeps the start of a packet
/// until the rest arrives (it marks the bytes examined, so Kestrel's own read-buffer limit does not stop it), and the
/// codec refuses a packet larger than <see cref="GearmanOptions.MaxPacketBytes"/> from its header; left alone, a
/// client could still declare large packets on many connections, send most of each and stop. So:
/// <list type="bullet">
/// <item>a connection silent for <see cref="GearmanOptions.PartialPacketTimeout"/> with part of a packet sent is closed
/// (a connection idle between packets never is: workers wait for hours);</item>
/// <item>the bytes held in partly received packets across all connections are bounded by
/// <see cref="GearmanOptions.MaxBufferedBytes"/>: a connection whose packet would take the total past it is closed.</item>
/// </list>
/// The reader reports once per read completion (<see cref="Held"/>: a clock read and, only for a large partial packet,
/// an atomic add); one timer looks at every connection a few times per timeout.
/// </summary>
/// <remarks>Closing the connection that goes over the bound, rather than pausing it, is what a Gearman client can act on:
/// it gets an ERROR saying why and may retry, where a paused read would leave its submit hanging with no message; and
/// paused readers that each hold part of a packet would wait for one another until the timeout.</remarks>
internal sealed class GearmanReadGuard : IDisposable
{
    /// <summary>64 KiB: a partial packet smaller than this is not counted against <see cref="GearmanOptions.MaxBufferedBytes"/>.
    /// It is the ordinary tail of a pipelined read (a read ends wherever the socket's buffer did); counting it would add
    /// an atomic operation per read on the hot path and let a few large uploads shut out every ordinary client. What such
    /// tails hold together is bounded by the number of connections.</summary>
    public const int UncountedBytes = 64 * 1024;

    /// <summary>How often the timeout is checked: a quarter of it, at most every 5 seconds, so a connection is closed
    /// between one and one and a quarter timeouts after its last byte.</summary>
    private static readonly TimeSpan LongestSweep = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<PartialRead, byte> _connections = new(ReferenceEqualityComparer.Instance);
    private readonly TimeProvider _time;
    private readonly long _timeoutTicks;
    private readonly ITimer _sweeper;
    private long _counted;

    public GearmanReadGuard(IOptions<GearmanOptions> options, TimeProvider time)
    {
        _time = time;
        Timeout = options.Value.PartialPacketTimeout;
        MaxBytes = options.Value.MaxBufferedBytes;
        _timeoutTicks = Timeout.Ticks;
        var period = Timeout / 4 < LongestSweep ? Timeout / 4 : LongestSweep;
        _sweeper = time.CreateTimer(static g => ((GearmanReadGuard)g!).Sweep(), this, period, period);
    }

    public TimeSpan Timeout { get; }
    public long MaxBytes { get; }

    /// <summary>Bytes of large partial packets held across connections now.</summary>
    public long CountedBytes => Interlocked.Read(ref _counted);

    public PartialRead Open(PipeReader input)
    {
        var read = new PartialRead(input);
        _connections.TryAdd(read, 0);
        return read;
    }

    /// <summary>The connection ended (called by its reader, after its last <see cref="Held"/>).</summary>
    public void Close(PartialRead read)
    {
        _connections.TryRemove(read, out _);
        if (read.Counted != 0) Interlocked.Add(ref _counted, -read.Counted);
        read.Counted = 0;
    }

    /// <summary>
    /// After a read was handled: <paramref name="remainder"/> bytes of an incomplete packet (or admin line) stay in the
    /// connection's buffer. False when keeping them would take the total past <see cref="MaxBytes"/>: the caller closes
    /// the connection (its bytes are no longer counted). Called by the connection's reader only.
    /// </summary>
    public bool Held(PartialRead read, long remainder)
    {
        read.Remainder = remainder;
        if (remainder == 0)
        {
            if (read.Since != 0) Volatile.Write(ref read.Since, 0);
            if (read.Counted != 0)
            {
                Interlocked.Add(ref _counted, -read.Counted);
                read.Counted = 0;
            }
            return true;
        }
        // This read brought bytes, so the packet made progress: its silence starts now.
        Volatile.Write(ref read.Since, _time.GetUtcNow().UtcTicks);
        var counted = remainder >= UncountedBytes ? remainder : 0;
        var before = read.Counted;
        if (counted == before) return true;
        var total = Interlocked.Add(ref _counted, counted - before);
        read.Counted = counted;
        if (counted < before || total <= MaxBytes) return true;
        Interlocked.Add(ref _counted, -counted);
        read.Counted = 0;
        return false;
    }

    /// <summary>
    /// A read came back cancelled: true when the timeout cancelled it (part of a packet is pending, nothing arrived since
    /// the sweep flagged the connection, and the silence is still as long as the timeout), so the caller closes the
    /// connection; false otherwise (the packet completed or bytes arrived just in time).
    /// </summary>
    public bool TimedOut(PartialRead read, long buffered)
    {
        if (!read.TimedOut) return false;
        read.TimedOut = false;
        return read.Remainder > 0 && buffered <= read.Remainder && _time.GetUtcNow().UtcTicks - read.Since >= _timeoutTicks;
    }

    /// <summary>How long the connection has had part of a packet pending without a byte; zero when none is.</summary>
    public TimeSpan Silence(PartialRead read) =>
        read.Since == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(_time.GetUtcNow().UtcTicks - read.Since);

    /// <summary>Flags every connection silent for the timeout with part of a packet sent, and wakes its reader (which
    /// sends the ERROR and closes; it alone touches its buffer).</summary>
    internal void Sweep()
    {
        var now = _time.GetUtcNow().UtcTicks;
        foreach (var read in _connections.Keys)
        {
            var since = Volatile.Read(ref read.Since);
            if (since == 0 || now - since < _timeoutTicks || read.TimedOut) continue;
            read.TimedOut = true;
            read.Input.CancelPendingRead();
        }
    }

    public void Dispose() => _sweeper.Dispose();
}

/// <summary>One connection's partly received packet, as <see cref="GearmanReadGuard"/> follows it.</summary>
internal sealed class PartialRead(PipeReader input)
{
    public PipeReader Input { get; } = input;
    /// <summary>UTC ticks of the last read that left part of a packet in the buffer; 0 when none is pending.</summary>
    public long Since;
    /// <summary>Bytes left in the buffer after the last read (written and read by the connection's reader only).</summary>
    public long Remainder;
    /// <summary>Bytes counted against the bound for this connection (by its reader only).</summary>
    public long Counted;
    public volatile bool TimedOut;
}
