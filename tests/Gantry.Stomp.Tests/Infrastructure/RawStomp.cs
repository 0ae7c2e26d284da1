using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gantry.Protocol.Stomp;

namespace Gantry.Stomp.Tests.Infrastructure;

/// <summary>
/// A STOMP client over a plain socket, as thin as a test needs: frames are written with the codec's writer (or as raw
/// bytes, for what a real client would never send) and read with its reader. Every read has a hang guard, so a test
/// whose frame never comes fails with a message instead of waiting forever; the guard is not a timing assertion.
/// </summary>
public sealed class RawStomp : IAsyncDisposable
{
    /// <summary>How long a read may wait before the test is failed as hung.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private readonly Socket _socket;
    private readonly StompReader _reader = new();
    private readonly byte[] _chunk = new byte[64 * 1024];
    private byte[] _pending = [];

    private RawStomp(Socket socket) => _socket = socket;

    /// <summary>Heart-beats (lone EOLs) received so far.</summary>
    public int HeartBeats { get; private set; }

    /// <param name="endpoint">The server's STOMP port.</param>
    /// <param name="receiveBufferBytes">A small kernel receive buffer (set before connecting) for a client meant to fall
    /// behind; null for the system's.</param>
    public static async Task<RawStomp> OpenAsync(IPEndPoint endpoint, int? receiveBufferBytes = null)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBufferBytes is { } size) socket.ReceiveBufferSize = size;
        await socket.ConnectAsync(endpoint);
        return new RawStomp(socket);
    }

    public Task SendAsync(StompCommand command, params (string Name, string Value)[] headers) =>
        SendAsync(command, "", headers);

    public async Task SendAsync(StompCommand command, string body, params (string Name, string Value)[] headers)
    {
        var frame = new StompFrame(command, headers.Select(h => new StompHeader(h.Name, h.Value)).ToArray(), Encoding.UTF8.GetBytes(body));
        await SendRawAsync(StompWriter.ToArray(frame));
    }

    public async Task SendRawAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None);

    public Task SendRawAsync(string text) => SendRawAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>CONNECT for 1.2 and expects CONNECTED; returns it.</summary>
    public async Task<StompFrame> ConnectAsync(params (string Name, string Value)[] extra)
    {
        await SendAsync(StompCommand.Connect, [(StompHeaderNames.AcceptVersion, "1.2"), (StompHeaderNames.Host, "localhost"), .. extra]);
        return await ExpectAsync(StompCommand.Connected);
    }

    /// <summary>The next frame, skipping heart-beats (they are counted); null when the server closed the connection.</summary>
    public async Task<StompFrame?> ReadAsync()
    {
        using var guard = new CancellationTokenSource(HangGuard);
        while (true)
        {
            var buffer = new ReadOnlySequence<byte>(_pending);
            var status = _reader.TryRead(ref buffer, out var frame, out var error);
            if (status != StompReadStatus.Incomplete) _pending = buffer.ToArray();
            switch (status)
            {
                case StompReadStatus.Frame: return frame;
                case StompReadStatus.HeartBeat: HeartBeats++; continue;
                case StompReadStatus.Error: throw new InvalidOperationException($"The server sent bad STOMP: {error.Message}");
            }
            int read;
            try
            {
                read = await _socket.ReceiveAsync(_chunk, SocketFlags.None, guard.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No frame from the server within {HangGuard.TotalSeconds} s (hang guard).");
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                return null;
            }
            if (read == 0)
            {
                if (_pending.Length > 0) throw new InvalidOperationException($"The server closed in the middle of a frame ({_pending.Length} bytes).");
                return null;
            }
            _pending = [.. _pending, .. _chunk.AsSpan(0, read)];
        }
    }

    /// <summary>Waits for the next heart-beat; a frame or a close before it fails the test.</summary>
    public async Task ExpectHeartBeatAsync()
    {
        var before = HeartBeats;
        using var guard = new CancellationTokenSource(HangGuard);
        while (HeartBeats == before)
        {
            var buffer = new ReadOnlySequence<byte>(_pending);
            var status = _reader.TryRead(ref buffer, out var frame, out _);
            if (status != StompReadStatus.Incomplete) _pending = buffer.ToArray();
            if (status == StompReadStatus.HeartBeat) HeartBeats++;
            else if (status != StompReadStatus.Incomplete) throw new InvalidOperationException($"Expected a heart-beat, got {status} {frame}.");
            else
            {
                var read = await _socket.ReceiveAsync(_chunk, SocketFlags.None, guard.Token);
                if (read == 0) throw new InvalidOperationException("The server closed the connection; expected a heart-beat.");
                _pending = [.. _pending, .. _chunk.AsSpan(0, read)];
            }
        }
    }

    /// <summary>The next frame, which must be a <paramref name="command"/>.</summary>
    public async Task<StompFrame> ExpectAsync(StompCommand command)
    {
        var frame = await ReadAsync() ?? throw new InvalidOperationException($"The server closed the connection; expected {StompCommands.Name(command)}.");
        if (frame.Command != command)
            throw new InvalidOperationException($"Expected {StompCommands.Name(command)}, got {frame} with message '{frame[StompHeaderNames.Message]}'.");
        return frame;
    }

    /// <summary>Expects an ERROR frame and then the end of the connection; returns the ERROR.</summary>
    public async Task<StompFrame> ExpectErrorThenCloseAsync()
    {
        var error = await ExpectAsync(StompCommand.Error);
        await ExpectClosedAsync();
        return error;
    }

    /// <summary>Expects the server to close the connection with no further frame.</summary>
    public async Task ExpectClosedAsync()
    {
        var after = await ReadAsync();
        if (after is not null) throw new InvalidOperationException($"Expected the connection to close, got {after}.");
    }

    /// <summary>Sends a frame with a receipt and waits for that RECEIPT.</summary>
    public async Task SendWithReceiptAsync(StompCommand command, string body, params (string Name, string Value)[] headers)
    {
        var receipt = Guid.NewGuid().ToString("N");
        await SendAsync(command, body, [.. headers, (StompHeaderNames.Receipt, receipt)]);
        var frame = await ExpectAsync(StompCommand.Receipt);
        Assert.Equal(receipt, frame[StompHeaderNames.ReceiptId]);
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
