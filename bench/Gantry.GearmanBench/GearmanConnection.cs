using System.Buffers;
using System.Net.Sockets;
using Gantry.Protocol.Gearman;

namespace Gantry.GearmanBench;

/// <summary>
/// One TCP connection to the job server, used with blocking calls from dedicated threads, the way libgearman's and
/// the scripting languages' workers use theirs: a receive wakes the one thread waiting on it, with no thread-pool hop,
/// which keeps the generator's CPU per job low on a machine whose cores it shares with the server under test.
/// Incoming bytes are framed by the shared codec; requests are written into a buffer and sent by <see cref="Flush"/>.
/// </summary>
internal sealed class GearmanConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly ArrayBufferWriter<byte> _output = new(16 * 1024);
    private byte[] _input = new byte[64 * 1024];
    private volatile bool _closing;

    private GearmanConnection(Socket socket, string name)
    {
        _socket = socket;
        Name = name;
    }

    public string Name { get; }

    public static GearmanConnection Open(string host, int port, string name)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Connect(host, port);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new BenchFailure($"{name}: cannot connect to {host}:{port}: {e.Message}");
        }
        return new GearmanConnection(socket, name);
    }

    /// <summary>Request packets with 0 to 3 fields (all that a client or worker here sends), buffered until <see cref="Flush"/>.</summary>
    public void Request(GearmanPacketType type) => GearmanWriter.Write(_output, GearmanMagic.Request, type);

    public void Request(GearmanPacketType type, ReadOnlySpan<byte> f0) => GearmanWriter.Write(_output, GearmanMagic.Request, type, f0);

    public void Request(GearmanPacketType type, ReadOnlySpan<byte> f0, ReadOnlySpan<byte> f1) =>
        GearmanWriter.Write(_output, GearmanMagic.Request, type, f0, f1);

    public void Request(GearmanPacketType type, ReadOnlySpan<byte> f0, ReadOnlySpan<byte> f1, ReadOnlySpan<byte> f2) =>
        GearmanWriter.Write(_output, GearmanMagic.Request, type, f0, f1, f2);

    public bool HasUnsent => _output.WrittenCount > 0;

    /// <summary>Sends everything written so far. Only one thread may write and flush a connection.</summary>
    public void Flush()
    {
        var pending = _output.WrittenSpan;
        try
        {
            while (!pending.IsEmpty) pending = pending[_socket.Send(pending)..];
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            if (_closing) return;
            throw new BenchFailure($"{Name}: send failed: {e.Message}");
        }
        _output.ResetWrittenCount();
    }

    /// <summary>
    /// Receives until the connection is closed, calling <paramref name="onPacket"/> for every packet in arrival order
    /// and <paramref name="afterBatch"/> once the packets of one receive have been handled (where a worker sends its
    /// replies, several in one send). The server closing the connection is a failure; <see cref="Dispose"/> is not.
    /// </summary>
    public void ReadLoop(Action<GearmanPacket> onPacket, Action? afterBatch)
    {
        int start = 0, end = 0;
        while (true)
        {
            if (_input.Length - end < 4096)
            {
                if (start > 0)
                {
                    _input.AsSpan(start, end - start).CopyTo(_input);
                    end -= start;
                    start = 0;
                }
                if (_input.Length - end < 4096) Array.Resize(ref _input, _input.Length * 2); // a packet larger than the buffer
            }
            int received;
            try
            {
                received = _socket.Receive(_input, end, _input.Length - end, SocketFlags.None);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_closing) return;
                throw new BenchFailure($"{Name}: receive failed: {e.Message}");
            }
            if (received == 0)
            {
                if (_closing) return;
                throw new BenchFailure($"{Name}: the server closed the connection");
            }
            end += received;

            var buffer = new ReadOnlySequence<byte>(_input, start, end - start);
            while (true)
            {
                var status = GearmanReader.TryRead(ref buffer, GearmanReadLimits.Default, out var packet, out var line, out var error);
                if (status == GearmanReadStatus.Incomplete) break;
                if (status == GearmanReadStatus.AdminLine)
                    throw new BenchFailure($"{Name}: the server sent a text line instead of a packet: '{line}'");
                if (status != GearmanReadStatus.Packet)
                    throw new BenchFailure($"{Name}: unreadable bytes from the server: {error.Code}: {error.Message}");
                if (packet.Magic != GearmanMagic.Response)
                    throw new BenchFailure($"{Name}: the server sent a request packet ({packet})");
                onPacket(packet);
            }
            start = end - (int)buffer.Length;
            if (start == end) start = end = 0;
            afterBatch?.Invoke();
        }
    }

    /// <summary>Closes the connection; a thread blocked in <see cref="ReadLoop"/> returns quietly.</summary>
    public void Dispose()
    {
        _closing = true;
        try { _socket.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        _socket.Dispose();
    }
}

/// <summary>Reads the fields of a packet the way the error messages need them.</summary>
internal static class PacketText
{
    public static string Describe(GearmanPacket packet) => packet.Type switch
    {
        GearmanPacketType.Error => $"ERROR {packet.FieldString(0)}: {packet.FieldString(1)}",
        GearmanPacketType.WorkFail => $"WORK_FAIL for {packet.FieldString(0)}",
        GearmanPacketType.WorkException => $"WORK_EXCEPTION for {packet.FieldString(0)}: {packet.FieldString(1)}",
        _ => packet.ToString(),
    };
}
