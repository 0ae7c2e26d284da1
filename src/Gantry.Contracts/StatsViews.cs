namespace Gantry.Contracts;

/// <summary>The answer to <c>GET /api/stats</c>: every queue's figures over the server's sliding window.</summary>
public sealed class StatsView
{
    /// <summary>The window the figures are kept over (Gantry:Stats:Window), in seconds.</summary>
    public double WindowSeconds { get; set; }
    /// <summary>A queue whose delay p95 stays above this many seconds is falling behind (Gantry:Stats:DelayWarning); 0 when off.</summary>
    public double DelayWarningSeconds { get; set; }
    /// <summary>…for this long (Gantry:Stats:DelayWarningPeriod), in seconds.</summary>
    public double DelayWarningPeriodSeconds { get; set; }
    public List<QueueStatsView> Queues { get; set; } = [];
}

/// <summary>One queue's figures: <c>GET /api/stats/{queue}</c>, and each item of <c>queues</c> there.</summary>
public sealed class QueueStatsView
{
    public string Queue { get; set; } = "";
    /// <summary>"durable" or "memory"; a memory lane's jobs are not in the job log, so its figures stay empty.</summary>
    public string Lane { get; set; } = "durable";
    public bool Paused { get; set; }
    /// <summary>How many seconds the figures cover: the window, or less on a server that started more recently.</summary>
    public double CoveredSeconds { get; set; }
    /// <summary>Attempts that ended in the window (released ones are not counted: nothing was done).</summary>
    public long Processed { get; set; }
    public double JobsPerMinute { get; set; }
    /// <summary>Attempts that ended in the window by outcome: succeeded, failed, dead, cancelled, lease_expired.</summary>
    public Dictionary<string, long> Outcomes { get; set; } = [];
    /// <summary>Start − max(created, run_at): how long attempts waited for a worker once due.</summary>
    public DurationStatsView Delay { get; set; } = new();
    /// <summary>Finish − start: how long workers held attempts.</summary>
    public DurationStatsView Process { get; set; } = new();
    /// <summary>Jobs available now, waiting for a worker.</summary>
    public long Backlog { get; set; }
    /// <summary>Jobs running now: the busy workers (idle workers are invisible to the server).</summary>
    public long Running { get; set; }
    /// <summary>How long the oldest available job has waited, in seconds; null when none waits.</summary>
    public double? OldestAvailableAgeSeconds { get; set; }
    /// <summary>The delay p95 stayed above the warning threshold for the warning period: add workers.</summary>
    public bool FallingBehind { get; set; }
    /// <summary>Since when, while <c>falling_behind</c>.</summary>
    public DateTimeOffset? BehindSince { get; set; }
}

/// <summary>Percentiles of one duration in milliseconds; null when no attempt ended in the window. Percentiles are
/// at most 9 % above the true value (log-scaled buckets); max and mean are exact.</summary>
public sealed class DurationStatsView
{
    public long Count { get; set; }
    public double? P50Ms { get; set; }
    public double? P95Ms { get; set; }
    public double? P99Ms { get; set; }
    public double? MaxMs { get; set; }
    public double? MeanMs { get; set; }
}
