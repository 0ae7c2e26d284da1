using System.Buffers;
using System.Net.Sockets;
using Gantry.Protocol.Gearman;

namespace Gantry.Gearman.Client;

/// <summary>
/// One connection to a Gearman job server (Gantry's Gearman port or any gearmand), as a client, a worker or an admin
/// tool: requests are written into a buffer and sent by <see cref="Flush"/> or <see cref="FlushAsync"/>, and what the
/// server sends is framed by the codec, read either one frame at a time (<see cref="ReadAsync"/>) or by a blocking
/// loop on a thread of its own (<see cref="ReadLoop"/>: a receive then wakes the one thread waiting on it, with no
/// thread-pool hop, which keeps a load generator's CPU per job low). One writer and one reader at a time.
/// </summary>
public sealed class GearmanConnection : IDisposable, IAsyncDisposable
{
    /// <summary>Defaults to 64 KiB for the first receive buffer; it grows for larger packets.</summary>
    public const int DefaultReceiveBufferBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly GearmanReadLimits _limits;
    private readonly ArrayBufferWriter<byte> _output = new(16 * 1024);
    private byte[] _input = new byte[DefaultReceiveBufferBytes];
    private int _start;
    private int _end;
    private bool _ended;
    private volatile bool _closing;

    private GearmanConnection(Socket socket, GearmanReadLimits? limits)
    {
        _socket = socket;
        _limits = limits ?? GearmanReadLimits.Default;
    }

    /// <summary>Connects (blocking).</summary>
    public static GearmanConnection Connect(string host, int port, GearmanReadLimits? limits = null)
    {
        var socket = NewSocket();
        try
        {
            socket.Connect(host, port);
            return new GearmanConnection(socket, limits);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static async Task<GearmanConnection> ConnectAsync(string host, int port, CancellationToken ct, GearmanReadLimits? limits = null)
    {
        var socket = NewSocket();
        try
        {
            await socket.ConnectAsync(host, port, ct).ConfigureAwait(false);
            return new GearmanConnection(socket, limits);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static Socket NewSocket() => new(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };

    /// <summary>The server closed the connection (or it broke); no frame will come.</summary>
    public bool Ended => _ended;

    // ---- writing ------------------------------------------------------------------------------------------------

    public void Write(GearmanPacketType type) => GearmanWriter.Write(_output, GearmanMagic.Request, type);

    public void Write(GearmanPacketType type, ReadOnlySpan<byte> f0) => GearmanWriter.Write(_output, GearmanMagic.Request, type, f0);

    public void Write(GearmanPacketType type, ReadOnlySpan<byte> f0, ReadOnlySpan<byte> f1) =>
        GearmanWriter.Write(_output, GearmanMagic.Request, type, f0, f1);

    public void Write(GearmanPacketType type, ReadOnlySpan<byte> f0, ReadOnlySpan<byte> f1, ReadOnlySpan<byte> f2) =>
        GearmanWriter.Write(_output, GearmanMagic.Request, type, f0, f1, f2);

    /// <summary>Bytes exactly as given: an admin command line, several packets at once, or deliberately bad input.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes) => _output.Write(bytes);

    public bool HasUnsent => _output.WrittenCount > 0;

    /// <summary>Sends everything written so far (blocking). A connection being disposed fails quietly.</summary>
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
            throw new IOException($"sending to the Gearman server failed: {e.Message}", e);
        }
        finally
        {
            _output.ResetWrittenCount();
        }
    }

    public async ValueTask FlushAsync(CancellationToken ct)
    {
        try
        {
            var pending = _output.WrittenMemory;
            while (!pending.IsEmpty) pending = pending[await _socket.SendAsync(pending, SocketFlags.None, ct).ConfigureAwait(false)..];
        }
        catch (SocketException e)
        {
            throw new IOException($"sending to the Gearman server failed: {e.Message}", e);
        }
        finally
        {
            _output.ResetWrittenCount();
        }
    }

    /// <summary>Writes one request and sends it.</summary>
    public ValueTask SendAsync(GearmanPacketType type, CancellationToken ct)
    {
        Write(type);
        return FlushAsync(ct);
    }

    public ValueTask SendAsync(GearmanPacketType type, ReadOnlySpan<byte> f0, CancellationToken ct)
    {
        Write(type, f0);
        return FlushAsync(ct);
    }

    public ValueTask SendAsync(GearmanPacketType type, ReadOnlySpan<byte> f0, ReadOnlySpan<byte> f1, CancellationToken ct)
    {
        Write(type, f0, f1);
        return FlushAsync(ct);
    }

    // ---- reading ------------------------------------------------------------------------------------------------

    /// <summary>The next frame: a packet (its body an array of its own, so it outlives the buffer) or an admin text line;
    /// null when the server closed the connection between frames. Bytes that are not a Gearman frame, or a close in the
    /// middle of one, throw <see cref="GearmanConnectionException"/>.</summary>
    public async ValueTask<GearmanFrame?> ReadAsync(CancellationToken ct)
    {
        while (true)
        {
            if (TryFrame() is { } frame) return frame;
            if (_ended) return null;
            MakeRoom();
            int received;
            try
            {
                received = await _socket.ReceiveAsync(_input.AsMemory(_end), SocketFlags.None, ct).ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                _ended = true;
                return null;
            }
            if (Received(received)) return null;
        }
    }

    /// <summary>
    /// Receives until the connection ends, calling <paramref name="onPacket"/> for every packet in arrival order and
    /// <paramref name="afterBatch"/> once the packets of one receive are handled (where a worker sends its replies,
    /// several in one send). Returns when <see cref="Dispose"/> was called; the server closing the connection, or
    /// sending anything but response packets, throws <see cref="GearmanConnectionException"/>.
    /// </summary>
    public void ReadLoop(Action<GearmanPacket> onPacket, Action? afterBatch)
    {
        while (true)
        {
            while (TryFrame() is { } frame)
            {
                if (frame.Packet is not { } packet) throw new GearmanConnectionException($"the server sent a text line instead of a packet: '{frame.Line}'");
                if (packet.Magic != GearmanMagic.Response) throw new GearmanConnectionException($"the server sent a request packet ({packet})");
                onPacket(packet);
            }
            afterBatch?.Invoke();
            MakeRoom();
            int received;
            try
            {
                received = _socket.Receive(_input, _end, _input.Length - _end, SocketFlags.None);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_closing) return;
                throw new GearmanConnectionException($"receiving from the Gearman server failed: {e.Message}");
            }
            if (Received(received))
            {
                if (_closing) return;
                throw new GearmanConnectionException("the server closed the connection");
            }
        }
    }

    /// <summary>Takes in <paramref name="received"/> bytes; true when the connection ended (0 bytes).</summary>
    private bool Received(int received)
    {
        if (received > 0)
        {
            _end += received;
            return false;
        }
        _ended = true;
        if (_end > _start) throw new GearmanConnectionException($"the connection ended in the middle of a frame ({_end - _start} bytes left over)");
        return true;
    }

    private GearmanFrame? TryFrame()
    {
        if (_end == _start) return null;
        var buffer = new ReadOnlySequence<byte>(_input, _start, _end - _start);
        var status = GearmanReader.TryRead(ref buffer, _limits, out var packet, out var line, out var error);
        switch (status)
        {
            case GearmanReadStatus.Incomplete:
                return null;
            case GearmanReadStatus.Error:
                throw new GearmanConnectionException($"the server sent bytes that are not a Gearman frame ({error.Code}: {error.Message})");
        }
        _start = _end - (int)buffer.Length;
        if (_start == _end) _start = _end = 0;
        return status == GearmanReadStatus.Packet ? new GearmanFrame(packet, null) : new GearmanFrame(null, line);
    }

    /// <summary>At least 4 KiB free at the end of the buffer: the unread part moves to the front, or the buffer grows
    /// (a packet larger than it).</summary>
    private void MakeRoom()
    {
        if (_input.Length - _end >= 4096) return;
        if (_start > 0)
        {
            _input.AsSpan(_start, _end - _start).CopyTo(_input);
            _end -= _start;
            _start = 0;
        }
        if (_input.Length - _end < 4096) Array.Resize(ref _input, _input.Length * 2);
    }

    // ---- closing ------------------------------------------------------------------------------------------------

    /// <summary>Closes with a reset (no FIN), like a process that crashed with the socket open.</summary>
    public void Abort()
    {
        _closing = true;
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    /// <summary>Closes the connection; a thread blocked in <see cref="ReadLoop"/> returns quietly.</summary>
    public void Dispose()
    {
        _closing = true;
        try { _socket.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        _socket.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>One frame from the server: a packet or an admin protocol text line.</summary>
public readonly record struct GearmanFrame(GearmanPacket? Packet, string? Line);

/// <summary>The server sent something that is not what a Gearman client can read, or closed the connection mid-frame.</summary>
public sealed class GearmanConnectionException(string message) : IOException(message);
