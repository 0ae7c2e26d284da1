using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Gantry.Protocol.Gearman;

namespace Gantry.Workers.Child.Gearman;

/// <summary>One worker connection to a Gearman job server: sends request packets, reads response packets, through the
/// project's own codec. Used by one loop at a time.</summary>
internal sealed class GearmanConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;
    private readonly ArrayBufferWriter<byte> _out = new(256);

    private GearmanConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = PipeReader.Create(_stream);
    }

    public static async Task<GearmanConnection> OpenAsync(GearmanEndpoint endpoint, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint.Host, endpoint.Port, ct).ConfigureAwait(false);
            return new GearmanConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public ValueTask SendAsync(GearmanPacketType type, CancellationToken ct)
    {
        GearmanWriter.Write(_out, GearmanMagic.Request, type);
        return FlushAsync(ct);
    }

    public ValueTask SendAsync(GearmanPacketType type, ReadOnlySpan<byte> field0, CancellationToken ct)
    {
        GearmanWriter.Write(_out, GearmanMagic.Request, type, field0);
        return FlushAsync(ct);
    }

    public ValueTask SendAsync(GearmanPacketType type, ReadOnlySpan<byte> field0, ReadOnlySpan<byte> field1, CancellationToken ct)
    {
        GearmanWriter.Write(_out, GearmanMagic.Request, type, field0, field1);
        return FlushAsync(ct);
    }

    private async ValueTask FlushAsync(CancellationToken ct)
    {
        try
        {
            await _stream.WriteAsync(_out.WrittenMemory, ct).ConfigureAwait(false);
        }
        finally
        {
            _out.ResetWrittenCount();
        }
    }

    /// <summary>The next packet from the server; its body is copied, so it outlives the read buffer.</summary>
    public async Task<GearmanPacket> ReadAsync(CancellationToken ct)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            var status = GearmanReader.TryRead(ref buffer, GearmanReadLimits.Default, out var packet, out _, out var error);
            switch (status)
            {
                case GearmanReadStatus.Packet:
                    var copy = new GearmanPacket(packet.Magic, packet.Type, packet.Body.ToArray());
                    _reader.AdvanceTo(buffer.Start);
                    return copy;
                case GearmanReadStatus.Incomplete:
                    _reader.AdvanceTo(buffer.Start, buffer.End);
                    if (result.IsCompleted) throw new IOException("the Gearman server closed the connection");
                    continue;
                default:
                    throw new IOException($"the Gearman server sent something that is not a Gearman packet ({error})");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }
}
