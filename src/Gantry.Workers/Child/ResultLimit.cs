namespace Gantry.Workers.Child;

/// <summary>How much of a command's stdout (or an endpoint's answer) becomes a job's result.</summary>
internal static class ResultLimit
{
    /// <summary>1 MiB, the server's default <c>Gantry:Limits:MaxResultBytes</c>: a larger result would be refused when the
    /// child reports it, so the child refuses it first, with a message that says so, instead of holding it in memory.</summary>
    public const int MaxBytes = 1024 * 1024;
}

/// <summary>A write-only stream that keeps up to a number of bytes and counts (but drops) the rest, so a command that
/// prints too much is still read to its end and never blocks on a full pipe.</summary>
internal sealed class CappedBuffer(int capacity) : Stream
{
    private readonly MemoryStream _kept = new();

    /// <summary>Every byte written, kept or not.</summary>
    public long Written { get; private set; }

    public bool Overflowed => Written > capacity;

    public byte[] ToArray() => _kept.ToArray();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var room = capacity - (int)_kept.Length;
        if (room > 0) _kept.Write(buffer[..Math.Min(room, buffer.Length)]);
        Written += buffer.Length;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => Written;
    public override long Position { get => Written; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
