using System.Collections.Concurrent;
using Gantry.Core.Jobs;
using Gantry.Core.Queues;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Core.Stats;

/// <summary>
/// The server's per-queue statistics, fed by the job log: delay and process time percentiles, jobs per minute and
/// outcomes over a sliding window, totals since start for the metrics, and the "falling behind" signal (a queue whose
/// delay p95 stays above <see cref="StatsOptions.DelayWarning"/>: add workers). Kept in memory by each server: with
/// several servers on one PostgreSQL, each reports the jobs that ended through it.
/// </summary>
/// <remarks>Bounded: figures are kept for at most <see cref="StatsOptions.MaxQueues"/> queues, and a queue idle for
/// <see cref="StatsOptions.IdleExpiry"/> with no unfinished job and no worker is forgotten (<see cref="StatsMonitor"/>
/// decides which, <see cref="Forget"/> does it), so a client that makes up queue names cannot fill the memory.</remarks>
public sealed class JobStats : IJobLogObserver
{
    private readonly ConcurrentDictionary<string, QueueStats> _queues = new(StringComparer.Ordinal);
    private readonly StatsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<JobStats> _log;
    private readonly DateTimeOffset _since;
    /// <summary>How many queues <see cref="_queues"/> holds (its Count takes every lock).</summary>
    private int _tracked;
    /// <summary>1 once the limit was met and said so; back to 0 when room is made.</summary>
    private int _limitLogged;

    public JobStats(IOptions<StatsOptions> options, TimeProvider time, ILogger<JobStats> log)
    {
        _options = options.Value;
        _time = time;
        _log = log;
        _since = time.GetUtcNow();
    }

    public StatsOptions Options => _options;

    public void OnJobsLogged(ReadOnlySpan<JobRecord> records)
    {
        QueueStats? queue = null;
        foreach (ref readonly var r in records)
        {
            if (!r.Outcome.IsProcessed()) continue;
            while (true)
            {
                if (queue is null || !string.Equals(queue.Name, r.Queue, StringComparison.Ordinal) || queue.Forgotten)
                    queue = QueueFor(r.Queue);
                if (queue is null) break; // at the limit: this queue has no figures
                lock (queue.Gate)
                {
                    // Forgotten between the look-up and the lock: the record goes to the queue's new figures.
                    if (queue.Forgotten) continue;
                    queue.Add(r);
                    break;
                }
            }
        }
    }

    /// <summary>The queue's figures, made on its first record; null when <see cref="StatsOptions.MaxQueues"/> queues have
    /// figures already.</summary>
    private QueueStats? QueueFor(string name)
    {
        if (_queues.TryGetValue(name, out var queue)) return queue;
        if (Volatile.Read(ref _tracked) >= _options.MaxQueues)
        {
            if (Interlocked.Exchange(ref _limitLogged, 1) == 0)
                _log.LogWarning("Statistics are kept for at most {MaxQueues} queues (Gantry:Stats:MaxQueues); queue {Queue} and other queues " +
                    "new to them get none until idle queues are forgotten", _options.MaxQueues, name);
            return null;
        }
        queue = new QueueStats(name, _options);
        if (!_queues.TryAdd(name, queue)) return _queues.TryGetValue(name, out var other) ? other : null;
        Interlocked.Increment(ref _tracked);
        return queue;
    }

    /// <summary>How many queues have figures now.</summary>
    public int QueueCount => Volatile.Read(ref _tracked);

    /// <summary>Whether new queues are being turned away (<see cref="StatsOptions.MaxQueues"/>).</summary>
    public bool AtLimit => QueueCount >= _options.MaxQueues;

    /// <summary>
    /// Queues whose figures may be forgotten: nothing of them ended for <see cref="StatsOptions.IdleExpiry"/> or, at the
    /// limit, for the window (their window figures are empty already). The caller keeps those that still have
    /// unfinished jobs or workers and passes the rest, with <paramref name="idleBefore"/>, to <see cref="Forget"/>.
    /// </summary>
    public IReadOnlyList<string> IdleQueues(out DateTimeOffset idleBefore)
    {
        var now = _time.GetUtcNow();
        var idle = AtLimit && _options.Window < _options.IdleExpiry ? _options.Window : _options.IdleExpiry;
        idleBefore = now - idle;
        var before = idleBefore.UtcTicks;
        var names = new List<string>();
        foreach (var queue in _queues.Values)
        {
            lock (queue.Gate)
                if (queue.LastFinishedTicks < before) names.Add(queue.Name);
        }
        return names;
    }

    /// <summary>Forgets the queue's figures, unless a job of it ended at or after <paramref name="idleBefore"/> meanwhile.
    /// A later record starts them afresh.</summary>
    public bool Forget(string queue, DateTimeOffset idleBefore)
    {
        if (!_queues.TryGetValue(queue, out var stats)) return false;
        lock (stats.Gate)
        {
            if (stats.LastFinishedTicks >= idleBefore.UtcTicks || stats.Forgotten) return false;
            stats.Forgotten = true;
        }
        if (!_queues.TryRemove(new KeyValuePair<string, QueueStats>(queue, stats))) return false;
        if (Interlocked.Decrement(ref _tracked) < _options.MaxQueues) Volatile.Write(ref _limitLogged, 0);
        return true;
    }

    /// <summary>Looks at every queue's delay p95 now, and logs a warning when a queue starts or stops falling behind.
    /// In memory only; <see cref="StatsMonitor"/> calls it on a timer, and every report calls it too.</summary>
    public void Check()
    {
        var now = _time.GetUtcNow();
        foreach (var queue in _queues.Values)
        {
            lock (queue.Gate) Look(queue, now);
        }
    }

    /// <summary>Every queue the store (or a memory lane) knows, and every queue with figures, by name.</summary>
    /// <param name="queues">The queues' counts now (<see cref="Engine.JobEngine.ListQueuesAsync"/>).</param>
    public IReadOnlyList<QueueStatsReport> Report(IReadOnlyList<QueueSummary> queues)
    {
        var now = _time.GetUtcNow();
        var summaries = new Dictionary<string, QueueSummary>(StringComparer.Ordinal);
        foreach (var q in queues) summaries[q.Name] = q;
        return summaries.Keys.Union(_queues.Keys).Order(StringComparer.Ordinal)
            .Select(name => Report(name, summaries.GetValueOrDefault(name), now))
            .ToList();
    }

    /// <summary>One queue; null when neither the counts nor the figures know it.</summary>
    public QueueStatsReport? Report(string queue, IReadOnlyList<QueueSummary> queues)
    {
        var summary = queues.FirstOrDefault(q => string.Equals(q.Name, queue, StringComparison.Ordinal));
        return summary is null && !_queues.ContainsKey(queue) ? null : Report(queue, summary, _time.GetUtcNow());
    }

    /// <summary>Totals since the server started, per queue that has any.</summary>
    public IReadOnlyList<QueueTotals> Totals()
    {
        var totals = new List<QueueTotals>(_queues.Count);
        foreach (var queue in _queues.Values.OrderBy(q => q.Name, StringComparer.Ordinal))
        {
            lock (queue.Gate) totals.Add(queue.Totals());
        }
        return totals;
    }

    private QueueStatsReport Report(string name, QueueSummary? summary, DateTimeOffset now)
    {
        QueueWindow? window = null;
        bool behind = false;
        DateTimeOffset? since = null;
        if (_queues.TryGetValue(name, out var queue))
        {
            lock (queue.Gate)
            {
                window = Look(queue, now);
                (behind, since) = (queue.Behind.IsBehind, queue.Behind.BehindSince);
            }
        }
        var processed = window?.Processed ?? 0;
        var covered = window?.Covered ?? Covered(now);
        var perMinuteOf = covered > _options.BucketWidth ? covered : _options.BucketWidth;
        return new QueueStatsReport
        {
            Queue = name,
            Lane = summary?.Lane ?? QueueLanes.Durable,
            Paused = summary?.Paused ?? false,
            Window = _options.Window,
            Covered = covered,
            Processed = processed,
            JobsPerMinute = processed / perMinuteOf.TotalMinutes,
            Outcomes = JobOutcomes.All.Where(o => o.IsProcessed()).ToDictionary(o => o, o => window?.Outcomes[(int)o] ?? 0),
            Delay = window is null ? DurationSummary.Of(new LogHistogram()) : DurationSummary.Of(window.Delay),
            Process = window is null ? DurationSummary.Of(new LogHistogram()) : DurationSummary.Of(window.Process),
            Backlog = summary?.Counts.GetValueOrDefault(JobState.Available) ?? 0,
            Running = summary?.Counts.GetValueOrDefault(JobState.Running) ?? 0,
            OldestAvailableAge = summary?.OldestAvailableAge(now),
            FallingBehind = behind,
            BehindSince = since,
        };
    }

    private TimeSpan Covered(DateTimeOffset now)
    {
        var covered = now - _since;
        return covered < TimeSpan.Zero ? TimeSpan.Zero : covered > _options.Window ? _options.Window : covered;
    }

    /// <summary>The queue's window now, observed by its falling-behind detector. Called under the queue's gate.</summary>
    private QueueWindow Look(QueueStats queue, DateTimeOffset now)
    {
        var window = queue.Window(now, _since);
        if (!_options.WarningEnabled) return window;
        var p95 = window.Delay.Percentile(0.95);
        switch (queue.Behind.Observe(now, p95))
        {
            case FallingBehindChange.Began:
                _log.LogWarning(
                    "Queue {Queue} is falling behind: its delay p95 ({DelayP95Seconds:0.###} s over the last {Window}) has been above " +
                    "{ThresholdSeconds:0.###} s since {Since:o}; add workers (Gantry:Stats:DelayWarning)",
                    queue.Name, p95?.TotalSeconds, _options.Window, _options.DelayWarning.TotalSeconds, queue.Behind.BehindSince);
                break;
            case FallingBehindChange.Recovered:
                _log.LogWarning(
                    "Queue {Queue} has caught up: its delay p95 ({DelayP95Seconds:0.###} s) has been at or below {ThresholdSeconds:0.###} s for {Period}",
                    queue.Name, p95?.TotalSeconds ?? 0, _options.DelayWarning.TotalSeconds, _options.DelayWarningPeriod);
                break;
        }
        return window;
    }
}
