using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Gantry.Client.Workers;
using Gantry.Workers.Config;

namespace Gantry.Workers.Child;

/// <summary>
/// Runs a pool's external command for one job, the <c>gearman -w</c> way: the payload bytes on stdin, the stdout
/// bytes as the result, exit code 0 for success; any other exit fails the job (it is retried) with the end of stderr
/// as the error. The job's details are in <c>GANTRY_JOB_ID</c>, <c>GANTRY_JOB_QUEUE</c>, <c>GANTRY_JOB_ATTEMPT</c> and
/// <c>GANTRY_JOB_MAX_ATTEMPTS</c>. When the job's token fires (its timeout, a lost lease, or shutdown past the grace
/// period) the command's whole process tree is killed.
/// </summary>
internal sealed class CommandJobHandler(PoolConfig pool) : IJobHandler
{
    /// <summary>Defaults to the last 4 KiB of stderr in the job's error: the end of a message or stack trace, without
    /// filling the job's error history with a chatty script's whole output.</summary>
    public const int StderrTailBytes = 4096;
    /// <summary>Defaults to 5 seconds for a killed command's pipes to close (a descendant that left its process group
    /// may hold them open); the job does not wait longer than that for output it will not use.</summary>
    public static readonly TimeSpan PipeDrainLimit = TimeSpan.FromSeconds(5);

    private readonly IReadOnlyList<string> _command = pool.Command ?? throw new InvalidOperationException($"Pool {pool.Name} has no command.");

    public async Task<JobResult> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        using var process = new Process { StartInfo = StartInfo(job) };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            // Often a deploy in progress or a missing chmod +x: worth retrying, and the message says which.
            throw new InvalidOperationException($"cannot start {_command[0]}: {ex.Message}", ex);
        }
        var stdout = new CappedBuffer(ResultLimit.MaxBytes);
        var stderr = new TailBuffer(StderrTailBytes);
        var reading = Task.WhenAll(
            process.StandardOutput.BaseStream.CopyToAsync(stdout, CancellationToken.None),
            process.StandardError.BaseStream.CopyToAsync(stderr, CancellationToken.None));
        var writing = WritePayloadAsync(process, job.Payload);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            await DrainAsync(reading, writing).ConfigureAwait(false);
            throw;
        }
        await DrainAsync(reading, writing).ConfigureAwait(false);
        if (process.ExitCode != 0)
            throw new CommandFailedException($"{Path.GetFileName(_command[0])} {ExitText.Describe(process.ExitCode)}{Tail(stderr)}");
        if (stdout.Overflowed)
        {
            // The same input will print as much again: retrying cannot help.
            throw new DiscardJobException($"{Path.GetFileName(_command[0])} wrote {stdout.Written} bytes to stdout; a job's result is at most " +
                                          $"{ResultLimit.MaxBytes} bytes (store large output elsewhere and return a reference to it)");
        }
        return stdout.Written == 0 ? JobResult.None : JobResult.Raw(stdout.ToArray());
    }

    private ProcessStartInfo StartInfo(JobContext job)
    {
        var info = new ProcessStartInfo(_command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = pool.WorkingDirectory,
        };
        foreach (var argument in _command.Skip(1)) info.ArgumentList.Add(argument);
        info.Environment["GANTRY_JOB_ID"] = job.Id.ToString(CultureInfo.InvariantCulture);
        info.Environment["GANTRY_JOB_QUEUE"] = job.Queue;
        info.Environment["GANTRY_JOB_ATTEMPT"] = job.Attempt.ToString(CultureInfo.InvariantCulture);
        info.Environment["GANTRY_JOB_MAX_ATTEMPTS"] = job.MaxAttempts.ToString(CultureInfo.InvariantCulture);
        return info;
    }

    private static async Task WritePayloadAsync(Process process, ReadOnlyMemory<byte> payload)
    {
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(payload).ConfigureAwait(false);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The command exited or closed stdin without reading it all; its exit code decides the outcome.
        }
    }

    private static async Task DrainAsync(Task reading, Task writing)
    {
        try
        {
            await Task.WhenAll(reading, writing).WaitAsync(PipeDrainLimit).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    private static void Kill(Process process)
    {
        try { process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { /* already gone */ }
    }

    private static string Tail(TailBuffer stderr)
    {
        var text = stderr.Text().Trim();
        return text.Length == 0 ? " (no stderr)" : ": " + text;
    }
}

/// <summary>An external command ended with a non-zero exit.</summary>
internal sealed class CommandFailedException(string message) : Exception(message);

/// <summary>A write-only stream that keeps the last bytes written to it.</summary>
internal sealed class TailBuffer(int capacity) : Stream
{
    private readonly Queue<byte> _bytes = new(capacity);
    private bool _cut;

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        foreach (var b in buffer)
        {
            if (_bytes.Count == capacity)
            {
                _bytes.Dequeue();
                _cut = true;
            }
            _bytes.Enqueue(b);
        }
    }

    public string Text() => (_cut ? "…" : "") + Encoding.UTF8.GetString(_bytes.ToArray());

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _bytes.Count;
    public override long Position { get => _bytes.Count; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
