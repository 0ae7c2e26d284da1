using System.Runtime.InteropServices;
using System.Threading.Channels;
using Gantry.Client;
using Gantry.Workers.Child;
using Gantry.Workers.Config;
using Gantry.Workers.Logging;
using Gantry.Workers.Status;

namespace Gantry.Workers.Supervisor;

/// <summary>
/// The parent of <c>gantry workers</c>: starts a <see cref="PoolRunner"/> per pool, reloads the workers file on SIGHUP
/// (changed pools restart gracefully, unchanged ones keep their children, removed ones stop, new ones start; a file
/// that does not load is logged and the running pools stay), stops gracefully on SIGTERM or SIGINT (a second one kills
/// the children at once), keeps the status file, and owns the pid file.
/// </summary>
public sealed class WorkerSupervisor
{
    /// <summary>Defaults to rewriting the status file at least once a second, so memory and current jobs stay fresh.</summary>
    public static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(1);
    /// <summary>Defaults to at most ten status writes a second: busy children change it with every job, and a reader
    /// needs no more.</summary>
    public static readonly TimeSpan MinStatusInterval = TimeSpan.FromMilliseconds(100);

    private enum Command { Reload, Stop }

    private readonly Channel<Command> _commands = Channel.CreateUnbounded<Command>();
    private TaskCompletionSource _statusDirty = NewSignal();
    private readonly Dictionary<string, PoolRunner> _pools = new(StringComparer.Ordinal);
    private readonly List<PoolRunner> _retiring = [];
    private readonly object _lock = new();
    private readonly Uri? _serverOverride;
    private readonly string? _tokenOverride;
    private readonly WorkerLog _log;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _startedAt;
    private WorkersConfig _config;
    private volatile bool _stopping;

    /// <param name="config">The loaded workers file.</param>
    /// <param name="serverOverride">From <c>--server</c> or <c>GANTRY_URL</c>; wins over the file's <c>server</c>.</param>
    /// <param name="tokenOverride">From <c>--token</c> or <c>GANTRY_TOKEN</c>; wins over the file's <c>token</c>.</param>
    /// <param name="log">Where the log lines go.</param>
    /// <param name="time">The clock.</param>
    public WorkerSupervisor(WorkersConfig config, Uri? serverOverride, string? tokenOverride, WorkerLog log, TimeProvider time)
    {
        (_config, _serverOverride, _tokenOverride, _log, _time) = (config, serverOverride, tokenOverride, log, time);
        _startedAt = time.GetUtcNow();
    }

    private Uri Server(WorkersConfig config) => _serverOverride ?? config.Server ?? new Uri(GantryClientOptions.DefaultServerUrl);

    /// <summary>Runs until SIGTERM or SIGINT and a graceful stop; returns the exit code.</summary>
    public async Task<int> RunAsync()
    {
        var pidFile = _config.PidFile;
        var statusFile = _config.StatusFile;
        if (pidFile is not null) PidFile.Write(pidFile);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(statusFile)!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (pidFile is not null) PidFile.Delete(pidFile);
            throw new InvalidOperationException($"cannot create the folder of the status file {statusFile}: {ex.Message}");
        }
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var statusStop = new CancellationTokenSource();
        Task? statusLoop = null;
        try
        {
            _log.Info("worker manager started", ("pid", Environment.ProcessId), ("config", _config.Path), ("server", Server(_config)),
                ("pools", _config.Pools.Count), ("status_file", statusFile));
            lock (_lock)
                foreach (var pool in _config.Pools) StartPool(pool, _config);
            statusLoop = Task.Run(() => StatusLoopAsync(statusFile, statusStop.Token));

            await foreach (var command in _commands.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                if (command == Command.Stop) break;
                Reload();
            }

            _log.Info("stopping: children finish their jobs", ("grace", _config.ShutdownGrace));
            List<PoolRunner> all;
            lock (_lock) all = [.. _pools.Values, .. _retiring];
            MarkChanged();
            await Task.WhenAll(all.Select(p => p.StopAsync())).ConfigureAwait(false);
            _log.Info("worker manager stopped");
            return 0;
        }
        finally
        {
            statusStop.Cancel();
            if (statusLoop is not null) await statusLoop.ConfigureAwait(false);
            StatusFile.Delete(statusFile);
            if (pidFile is not null) PidFile.Delete(pidFile);
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (context.Signal == PosixSignal.SIGHUP)
        {
            _log.Info("SIGHUP: reloading the workers file", ("config", _config.Path));
            _commands.Writer.TryWrite(Command.Reload);
            return;
        }
        if (_stopping)
        {
            _log.Warn($"{context.Signal} again: killing the children now (their jobs return when their leases expire)");
            lock (_lock)
                foreach (var pool in _pools.Values.Concat(_retiring)) pool.KillAll();
            return;
        }
        _stopping = true;
        _log.Info($"{context.Signal}: stopping");
        _commands.Writer.TryWrite(Command.Stop);
    }

    private void Reload()
    {
        WorkersConfig next;
        try
        {
            next = ConfigLoader.Load(_config.Path);
        }
        catch (ConfigException ex)
        {
            _log.Error("reload failed; the running pools stay as they are", ("config", _config.Path));
            foreach (var error in ex.Errors) _log.Error(error.ToString());
            return;
        }
        _log.Format = next.LogFormat;
        lock (_lock)
        {
            var wanted = next.Pools.ToDictionary(p => p.Name, StringComparer.Ordinal);
            foreach (var (name, runner) in _pools.ToList())
            {
                if (!wanted.TryGetValue(name, out var pool))
                {
                    _log.Info("reload: pool removed; stopping its children", ("pool", name));
                    Retire(runner);
                }
                else if (Spec(pool, next).ToJson() != runner.Fingerprint)
                {
                    _log.Info("reload: pool changed; replacing its children", ("pool", name));
                    Retire(runner);
                    StartPool(pool, next);
                }
                else
                {
                    _log.Info("reload: pool unchanged; its children keep running", ("pool", name));
                }
            }
            foreach (var pool in next.Pools.Where(p => !_pools.ContainsKey(p.Name)))
            {
                _log.Info("reload: pool added", ("pool", pool.Name));
                StartPool(pool, next);
            }
            // pid_file and status_file stay as they were at start: the files are in use.
            _config = next;
        }
        MarkChanged();
    }

    private ChildSpec Spec(PoolConfig pool, WorkersConfig config) => new()
    {
        Pool = pool,
        Server = Server(config),
        Token = _tokenOverride ?? config.Token,
        Gearman = config.Gearman,
        ShutdownGrace = config.ShutdownGrace,
    };

    private void StartPool(PoolConfig pool, WorkersConfig config)
    {
        var runner = new PoolRunner(Spec(pool, config), _log, _time, MarkChanged);
        _pools[pool.Name] = runner;
        _log.Info("pool starting", ("pool", pool.Name), ("queues", string.Join(",", pool.Queues)), ("functions", pool.Functions.Count == 0 ? null : string.Join(",", pool.Functions)), ("handler", pool.Describe()),
            ("processes", pool.Processes), ("concurrency", pool.Concurrency), ("max_jobs_per_child", pool.MaxJobsPerChild));
        runner.Start();
    }

    /// <summary>Drains a pool in the background; it stays in the status (as draining) until its children are gone.</summary>
    private void Retire(PoolRunner runner)
    {
        _pools.Remove(runner.Pool.Name);
        _retiring.Add(runner);
        _ = runner.StopAsync().ContinueWith(_ =>
        {
            lock (_lock) _retiring.Remove(runner);
            MarkChanged();
        }, TaskScheduler.Default);
    }

    private void MarkChanged() => Volatile.Read(ref _statusDirty).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task StatusLoopAsync(string path, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            // Swapped before the write, so a change made during it is written next time round.
            var changed = NewSignal();
            Volatile.Write(ref _statusDirty, changed);
            try
            {
                StatusFile.Write(path, Snapshot());
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _log.Warn("cannot write the status file", ("path", path), ("error", ex.Message));
            }
            try
            {
                await Task.Delay(MinStatusInterval, _time, stop).ConfigureAwait(false);
                await Task.WhenAny(changed.Task, Task.Delay(StatusInterval - MinStatusInterval, _time, stop)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private StatusSnapshot Snapshot()
    {
        lock (_lock)
        {
            return new StatusSnapshot
            {
                Pid = Environment.ProcessId,
                Config = _config.Path,
                Server = Server(_config).ToString(),
                State = _stopping ? "stopping" : "running",
                StartedAt = _startedAt,
                UpdatedAt = _time.GetUtcNow(),
                Pools = [.. _pools.Values.Select(p => p.Snapshot()), .. _retiring.Select(p => p.Snapshot())],
            };
        }
    }
}
