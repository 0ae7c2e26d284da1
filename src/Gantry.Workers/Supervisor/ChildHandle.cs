using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Gantry.Workers.Child;
using Gantry.Workers.Config;
using Gantry.Workers.Logging;
using Gantry.Workers.Status;

namespace Gantry.Workers.Supervisor;

/// <summary>
/// One running child process as the parent sees it: the spec goes down its stdin, its events come up its stdout
/// (each finished job becomes the per-job log line), its stderr becomes log lines, and its state feeds the status file.
/// <see cref="Drain"/> asks it to finish its jobs and exit; <see cref="Kill"/> does not ask.
/// </summary>
internal sealed class ChildHandle
{
    private readonly Process _process;
    private readonly PoolConfig _pool;
    private readonly WorkerLog _log;
    private readonly TimeProvider _time;
    private readonly Action _changed;
    private readonly ConcurrentDictionary<long, CurrentJob> _current = new();
    private readonly Task _stdout;
    private readonly Task _stderr;
    private int _jobsDone;

    private ChildHandle(Process process, PoolConfig pool, WorkerLog log, TimeProvider time, Action changed)
    {
        (_process, _pool, _log, _time, _changed) = (process, pool, log, time, changed);
        Pid = process.Id;
        StartedAt = time.GetUtcNow();
        _stdout = Task.Run(ReadEventsAsync);
        _stderr = Task.Run(ReadLogAsync);
        Exited = WaitForExitAsync();
    }

    public int Pid { get; }
    public DateTimeOffset StartedAt { get; }
    /// <summary>starting, ready or draining.</summary>
    public string State { get; private set; } = "starting";
    public int JobsDone => Volatile.Read(ref _jobsDone);
    public double? MemoryMb { get; private set; }
    /// <summary>Set when the child said it is recycling: max_jobs or max_memory.</summary>
    public string? RecycleReason { get; private set; }
    /// <summary>The exit code, once the process has exited and its output has been read to the end.</summary>
    public Task<int> Exited { get; }

    public static ChildHandle Start(ChildSpec spec, WorkerLog log, TimeProvider time, Action changed)
    {
        var info = SelfCommand.ChildStartInfo();
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        info.StandardOutputEncoding = Encoding.UTF8;
        info.StandardErrorEncoding = Encoding.UTF8;
        info.WorkingDirectory = spec.Pool.WorkingDirectory;
        foreach (var (name, value) in spec.Pool.Env) info.Environment[name] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException("The child process did not start.");
        process.StandardInput.AutoFlush = true;
        process.StandardInput.WriteLine(spec.ToJson());
        return new ChildHandle(process, spec.Pool, log, time, changed);
    }

    public IReadOnlyList<CurrentJob> CurrentJobs => _current.Values.OrderBy(j => j.Id).ToList();

    /// <summary>Asks the child to stop leasing, finish its jobs within its grace period and exit.</summary>
    public void Drain()
    {
        State = "draining";
        try
        {
            _process.StandardInput.WriteLine("drain");
            _process.StandardInput.Close();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // Already gone.
        }
        _changed();
    }

    /// <summary>SIGKILL for the child and anything it started: the last resort after the grace period.</summary>
    public void Kill()
    {
        try { _process.Kill(entireProcessTree: true); }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException) { /* already gone */ }
    }

    private async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_stdout, _stderr).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Whatever a child printed, the parent keeps supervising: the exit code still decides what happens next.
            _log.Warn("reading the child's output failed", ("pool", _pool.Name), ("pid", Pid), ("error", ex.Message));
        }
        var code = _process.ExitCode;
        _process.Dispose();
        return code;
    }

    private async Task ReadEventsAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (ChildEvent.TryParse(line) is { } e) OnEvent(e);
            else _log.Info(line, ("pool", _pool.Name), ("pid", Pid), ("stream", "stdout"));
        }
    }

    private async Task ReadLogAsync()
    {
        while (await _process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0) continue;
            var entry = ChildLogLine.Parse(line);
            _log.Write(entry.Level, entry.Message, [("pool", _pool.Name), ("pid", Pid), ("stream", "child"), ("category", entry.Category)]);
        }
    }

    private void OnEvent(ChildEvent e)
    {
        switch (e.Event)
        {
            case ChildEvent.Ready:
                if (State == "starting") State = "ready";
                break;
            case ChildEvent.Started when e.Id is { } id:
                _current[id] = new CurrentJob { Id = id, Queue = e.Queue ?? "", Attempt = e.Attempt ?? 0, StartedAt = _time.GetUtcNow() };
                break;
            case ChildEvent.Finished when e.Id is { } id:
                _current.TryRemove(id, out _);
                Interlocked.Increment(ref _jobsDone);
                _log.Write(e.Outcome is "succeeded" ? "info" : "warn", "job " + e.Outcome,
                    [("pool", _pool.Name), ("pid", Pid), ("job", id), ("queue", e.Queue), ("attempt", e.Attempt),
                     ("outcome", e.Outcome), ("delay_ms", e.DelayMs), ("process_ms", e.ProcessMs), ("error", e.Error)]);
                break;
            case ChildEvent.Memory:
                MemoryMb = e.MemoryMb;
                break;
            case ChildEvent.Recycle:
                RecycleReason = e.Reason;
                State = "draining";
                _log.Info("child recycling", ("pool", _pool.Name), ("pid", Pid), ("reason", e.Reason), ("jobs", e.JobsDone), ("memory_mb", e.MemoryMb));
                break;
            default:
                return;
        }
        _changed();
    }
}
