using System.IO.Pipelines;
using Gantry.Protocol.Stomp;

namespace Gantry.Stomp;

/// <summary>
/// The one way out of a STOMP connection. Frames come from several tasks at once (the read loop's receipts, one pump
/// per subscription, the heart-beat sender), and a pipe writer takes one writer at a time, so each frame is written and
/// flushed under a gate. After an ERROR the outbox is sealed: the specification has the server close after ERROR, and
/// nothing may follow it on the wire.
/// </summary>
internal sealed class StompOutbox(PipeWriter output, TimeProvider time)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _lastWrite = time.GetTimestamp();
    private bool _sealed;

    /// <summary>Whether header escapes are written: false for a session that negotiated 1.0, which has none.</summary>
    public bool EscapeHeaders { get; set; } = true;

    /// <summary>How long nothing has been written: a heart-beat is due only when the connection was quiet that long.</summary>
    public TimeSpan IdleFor => time.GetElapsedTime(Volatile.Read(ref _lastWrite));

    /// <summary>Writes one frame and flushes it; false when the outbox is sealed (the frame was not sent).</summary>
    public async ValueTask<bool> SendAsync(StompCommand command, StompHeader[] headers, ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_sealed) return false;
            StompWriter.Write(output, command, headers, body.Span, EscapeHeaders);
            return await FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Writes an ERROR frame and seals the outbox; false when it was already sealed (an earlier ERROR, or a
    /// close, said the last word).</summary>
    public async ValueTask<bool> SendErrorAsync(StompHeader[] headers, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_sealed) return false;
            _sealed = true;
            StompWriter.Write(output, StompCommand.Error, headers, ReadOnlySpan<byte>.Empty, EscapeHeaders);
            return await FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>One EOL, unless something else went out meanwhile (any data proves the server alive).</summary>
    public async ValueTask HeartBeatAsync(TimeSpan interval, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_sealed || IdleFor < interval) return;
            StompWriter.WriteHeartBeat(output);
            await FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Nothing more goes out (the connection is closing without an ERROR, after DISCONNECT say).</summary>
    public async ValueTask SealAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        _sealed = true;
        _gate.Release();
    }

    private async ValueTask<bool> FlushAsync(CancellationToken ct)
    {
        Volatile.Write(ref _lastWrite, time.GetTimestamp());
        var flushed = await output.FlushAsync(ct).ConfigureAwait(false);
        Volatile.Write(ref _lastWrite, time.GetTimestamp());
        return !flushed.IsCompleted && !flushed.IsCanceled;
    }
}
