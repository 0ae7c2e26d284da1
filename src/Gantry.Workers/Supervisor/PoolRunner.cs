using Gantry.Workers.Child;
using Gantry.Workers.Config;
using Gantry.Workers.Logging;
using Gantry.Workers.Status;

namespace Gantry.Workers.Supervisor;

/// <summary>
/// Keeps one pool's <c>processes</c> children running. Each slot starts a child and waits for it to exit: a child that
/// recycled (job budget or memory limit; it finished its jobs and exited 0) is replaced at once, a child that died is
/// logged with its exit code or signal and restarted after a backoff. Stopping drains every child (in-flight jobs
/// finish within the grace period, the rest are released by the child) and kills what is left after that.
/// </summary>
internal sealed class PoolRunner
{
    /// <summary>Defaults to 10 seconds beyond the grace period for a draining child to report and exit before it is killed.</summary>
    public static readonly TimeSpan KillMargin = TimeSpan.FromSeconds(10);

    private readonly ChildSpec _spec;
    private readonly WorkerLog _log;
    private readonly TimeProvider _time;
    private readonly Action _changed;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Slot[] _slots;

    public PoolRunner(ChildSpec spec, WorkerLog log, TimeProvider time, Action changed)
    {
        (_spec, _log, _time, _changed) = (spec, log, time, changed);
        Fingerprint = spec.ToJson();
        _slots = Enumerable.Range(0, spec.Pool.Processes).Select(i => new Slot(i)).ToArray();
    }

    public PoolConfig Pool => _spec.Pool;
    /// <summary>Equal fingerprints run alike: a reload leaves such a pool alone.</summary>
    public string Fingerprint { get; }
    public bool Draining => _stopping.IsCancellationRequested;

    public void Start()
    {
        foreach (var slot in _slots) slot.Loop = Task.Run(() => RunSlotAsync(slot));
    }

    public async Task StopAsync()
    {
        _stopping.Cancel();
        foreach (var slot in _slots)
            lock (slot) slot.Child?.Drain();
        _changed();
        var all = Task.WhenAll(_slots.Select(s => s.Loop));
        var limit = Task.Delay(_spec.ShutdownGrace + KillMargin, _time);
        if (await Task.WhenAny(all, limit).ConfigureAwait(false) != all)
        {
            _log.Warn("children did not stop in time; killing them", ("pool", Pool.Name), ("limit", _spec.ShutdownGrace + KillMargin));
            KillAll();
        }
        await all.ConfigureAwait(false);
    }

    /// <summary>Kills every child now (a second stop signal); their jobs return to the queue when their leases expire.</summary>
    public void KillAll()
    {
        _stopping.Cancel();
        foreach (var slot in _slots)
            lock (slot) slot.Child?.Kill();
    }

    private async Task RunSlotAsync(Slot slot)
    {
        var backoff = RestartBackoff.Initial;
        while (true)
        {
            ChildHandle? child = null;
            lock (slot)
            {
                if (_stopping.IsCancellationRequested) break;
                try
                {
                    child = slot.Child = ChildHandle.Start(_spec, _log, _time, _changed);
                }
                catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
                {
                    _log.Error("cannot start a child", ("pool", Pool.Name), ("error", ex.Message));
                }
            }
            if (child is null)
            {
                slot.Restarts++;
                if (!await PauseAsync(slot, backoff).ConfigureAwait(false)) break;
                backoff = RestartBackoff.Next(backoff);
                continue;
            }
            _log.Info("child started", ("pool", Pool.Name), ("pid", child.Pid), ("slot", slot.Index));
            _changed();

            var code = await child.Exited.ConfigureAwait(false);
            slot.LastExit = ExitText.Describe(code);
            if (_stopping.IsCancellationRequested)
            {
                _log.Info("child stopped", ("pool", Pool.Name), ("pid", child.Pid), ("jobs", child.JobsDone), ("exit", slot.LastExit));
                break;
            }
            if (code == 0 && child.RecycleReason is { } reason)
            {
                slot.Recycles++;
                backoff = RestartBackoff.Initial;
                _log.Info("child recycled; starting its replacement", ("pool", Pool.Name), ("pid", child.Pid), ("reason", reason), ("jobs", child.JobsDone));
                continue;
            }
            slot.Restarts++;
            if (_time.GetUtcNow() - child.StartedAt >= RestartBackoff.HealthyAfter) backoff = RestartBackoff.Initial;
            _log.Warn($"child {slot.LastExit}; restarting it", ("pool", Pool.Name), ("pid", child.Pid), ("jobs", child.JobsDone),
                ("restart_in", backoff), ("restarts", slot.Restarts));
            if (!await PauseAsync(slot, backoff).ConfigureAwait(false)) break;
            backoff = RestartBackoff.Next(backoff);
        }
        lock (slot) slot.Child = null;
        _changed();
    }

    /// <summary>Waits out a backoff; false when the pool is stopped meanwhile.</summary>
    private async Task<bool> PauseAsync(Slot slot, TimeSpan delay)
    {
        slot.Waiting = true;
        _changed();
        try
        {
            await Task.Delay(delay, _time, _stopping.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            slot.Waiting = false;
        }
    }

    public PoolStatus Snapshot() => new()
    {
        Name = Pool.Name,
        Queues = [.. Pool.Queues, .. Pool.Functions.Select(f => "gearman:" + f)],
        Handler = Pool.Describe(),
        State = Draining ? "draining" : "running",
        Processes = Pool.Processes,
        Concurrency = Pool.Concurrency,
        MaxJobsPerChild = Pool.MaxJobsPerChild,
        Children = _slots.Select(SlotStatus).ToList(),
    };

    private static ChildStatus SlotStatus(Slot slot)
    {
        ChildHandle? child;
        lock (slot) child = slot.Child;
        var running = child is not null && !child.Exited.IsCompleted;
        return new ChildStatus
        {
            Slot = slot.Index,
            Pid = running ? child!.Pid : null,
            State = running ? child!.State : slot.Waiting ? "waiting" : "exited",
            StartedAt = running ? child!.StartedAt : null,
            JobsDone = running ? child!.JobsDone : 0,
            MemoryMb = running ? child!.MemoryMb : null,
            CurrentJobs = running ? [.. child!.CurrentJobs] : [],
            Restarts = slot.Restarts,
            Recycles = slot.Recycles,
            LastExit = slot.LastExit,
        };
    }

    private sealed class Slot(int index)
    {
        public int Index { get; } = index;
        public ChildHandle? Child { get; set; }
        public Task Loop { get; set; } = Task.CompletedTask;
        public int Restarts { get; set; }
        public int Recycles { get; set; }
        public bool Waiting { get; set; }
        public string? LastExit { get; set; }
    }
}
