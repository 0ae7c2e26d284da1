using System.Buffers;
using System.IO.Pipelines;
using Gantry.Protocol.Gearman;

namespace Gantry.Gearman;

/// <summary>
/// The responses waiting for one connection. Any thread may add packets (a worker's WORK_COMPLETE is written to the
/// waiting client's outbox by the worker's connection); one flush loop at a time moves them to the socket. Packets
/// added while a flush is in progress go out with the next one, so a busy connection gets few, large writes.
/// </summary>
internal sealed class GearmanOutbox(PipeWriter output, int maxPendingBytes)
{
    private readonly object _lock = new();
    private ArrayBufferWriter<byte> _pending = new(4096);
    private ArrayBufferWriter<byte> _spare = new(4096);
    private bool _flushing;
    private bool _closed;
    private bool _held;
    private TaskCompletionSource? _drained;

    /// <summary>Raised (once) when pending output passed the limit or the socket failed: the connection must close.</summary>
    public event Action? Broken;

    public void Send(GearmanPacketType type)
    {
        lock (_lock) { GearmanWriter.Write(_pending, GearmanMagic.Response, type); Schedule(); }
    }

    public void Send(GearmanPacketType type, ReadOnlySpan<byte> f0)
    {
        lock (_lock) { GearmanWriter.Write(_pending, GearmanMagic.Response, type, f0); Schedule(); }
    }

    public void Send(GearmanPacketType type, ReadOnlySpan<byte> f0, ReadOnlySpan<byte> f1)
    {
        lock (_lock) { GearmanWriter.Write(_pending, GearmanMagic.Response, type, f0, f1); Schedule(); }
    }

    public void Send(GearmanPacketType type, ReadOnlySpan<byte> f0, ReadOnlySpan<byte> f1, ReadOnlySpan<byte> f2)
    {
        lock (_lock) { GearmanWriter.Write(_pending, GearmanMagic.Response, type, f0, f1, f2); Schedule(); }
    }

    public void Send(GearmanPacketType type, ReadOnlySpan<byte> f0, ReadOnlySpan<byte> f1, ReadOnlySpan<byte> f2, ReadOnlySpan<byte> f3)
    {
        lock (_lock) { GearmanWriter.Write(_pending, GearmanMagic.Response, type, f0, f1, f2, f3); Schedule(); }
    }

    public void Send(GearmanPacketType type, ReadOnlySpan<byte> f0, ReadOnlySpan<byte> f1, ReadOnlySpan<byte> f2, ReadOnlySpan<byte> f3,
        ReadOnlySpan<byte> f4)
    {
        lock (_lock) { GearmanWriter.Write(_pending, GearmanMagic.Response, type, f0, f1, f2, f3, f4); Schedule(); }
    }

    public void Send(GearmanPacketType type, ReadOnlySpan<byte> f0, ReadOnlySpan<byte> f1, ReadOnlySpan<byte> f2, ReadOnlySpan<byte> f3,
        ReadOnlySpan<byte> f4, ReadOnlySpan<byte> f5)
    {
        lock (_lock) { GearmanWriter.Write(_pending, GearmanMagic.Response, type, f0, f1, f2, f3, f4, f5); Schedule(); }
    }

    public void SendError(string code, string message)
    {
        lock (_lock) { GearmanWriter.WriteError(_pending, code, message); Schedule(); }
    }

    public void SendText(string text)
    {
        lock (_lock) { GearmanWriter.WriteText(_pending, text); Schedule(); }
    }

    /// <summary>
    /// The connection's own reader is about to handle a batch of packets: hold the flush until <see cref="EndBatch"/>, so
    /// the replies to a whole read go out in one write from the reader's thread instead of a thread-pool hop each.
    /// </summary>
    public void BeginBatch()
    {
        lock (_lock) _held = true;
    }

    public void EndBatch()
    {
        lock (_lock)
        {
            _held = false;
            if (_closed || _flushing || _pending.WrittenCount == 0) return;
            _flushing = true;
        }
        _ = FlushLoopAsync();
    }

    /// <summary>Completes once everything sent so far reached the socket (or the connection broke).</summary>
    public Task DrainAsync()
    {
        lock (_lock)
        {
            if (_closed || (!_flushing && _pending.WrittenCount == 0)) return Task.CompletedTask;
            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task;
        }
    }

    /// <summary>Stops accepting output: packets for a closed connection are dropped.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            _pending.ResetWrittenCount();
            _drained?.TrySetResult();
        }
    }

    private void Schedule()
    {
        if (_closed)
        {
            _pending.ResetWrittenCount();
            return;
        }
        if (_pending.WrittenCount > maxPendingBytes)
        {
            _closed = true;
            _pending.ResetWrittenCount();
            ThreadPool.UnsafeQueueUserWorkItem(static o => o.Broken?.Invoke(), this, preferLocal: false);
            return;
        }
        if (_flushing || _held) return;
        _flushing = true;
        if (DeferredFlushes.TryDefer(this)) return;
        ThreadPool.UnsafeQueueUserWorkItem(static o => _ = o.FlushLoopAsync(), this, preferLocal: true);
    }

    /// <summary>Runs a flush that <see cref="DeferredFlushes"/> held back (this outbox is marked as flushing already).</summary>
    internal void RunDeferredFlush() => _ = FlushLoopAsync();

    private async Task FlushLoopAsync()
    {
        try
        {
            while (true)
            {
                ArrayBufferWriter<byte> batch;
                lock (_lock)
                {
                    if (_closed || _pending.WrittenCount == 0)
                    {
                        _flushing = false;
                        _drained?.TrySetResult();
                        _drained = null;
                        return;
                    }
                    batch = _pending;
                    _pending = _spare;
                    _spare = batch;
                }
                var result = await output.WriteAsync(batch.WrittenMemory).ConfigureAwait(false);
                batch.ResetWrittenCount();
                if (result.IsCompleted || result.IsCanceled) throw new IOException("the connection closed");
            }
        }
        catch (Exception)
        {
            lock (_lock)
            {
                _closed = true;
                _flushing = false;
                _drained?.TrySetResult();
            }
            Broken?.Invoke();
        }
    }
}
