namespace Gantry.Core.Stats;

/// <summary>Percentiles of one duration over a queue's window. Every figure is null when no job ended in the window.</summary>
/// <param name="Count">How many attempts the figures describe.</param>
/// <param name="P50">The median (see <see cref="LogHistogram"/> for the precision).</param>
/// <param name="P95">95 % of the attempts took at most this.</param>
/// <param name="P99">99 % of the attempts took at most this.</param>
/// <param name="Max">The longest, exact.</param>
/// <param name="Mean">The average, exact.</param>
public sealed record DurationSummary(long Count, TimeSpan? P50, TimeSpan? P95, TimeSpan? P99, TimeSpan? Max, TimeSpan? Mean)
{
    internal static DurationSummary Of(LogHistogram h) => h.Count == 0
        ? new DurationSummary(0, null, null, null, null, null)
        : new DurationSummary(h.Count, h.Percentile(0.50), h.Percentile(0.95), h.Percentile(0.99), h.Max, h.Sum / h.Count);
}

/// <summary>A queue as <c>GET /api/stats</c> and <c>gantry stats</c> show it: the window's figures from memory, the
/// counts from the store at the same moment.</summary>
public sealed record QueueStatsReport
{
    public required string Queue { get; init; }
    /// <summary>"durable" or "memory"; memory-lane jobs have no job log, so their figures stay empty.</summary>
    public required string Lane { get; init; }
    public bool Paused { get; init; }
    /// <summary>The configured window.</summary>
    public required TimeSpan Window { get; init; }
    /// <summary>How much time the figures cover: the window, or less when the server started more recently.</summary>
    public required TimeSpan Covered { get; init; }
    /// <summary>Attempts that ended in the window, released ones excepted.</summary>
    public long Processed { get; init; }
    /// <summary><see cref="Processed"/> per minute of <see cref="Covered"/> (counted as at least one bucket width).</summary>
    public double JobsPerMinute { get; init; }
    /// <summary>Attempts that ended in the window, by outcome (every processed outcome present).</summary>
    public required IReadOnlyDictionary<JobOutcome, long> Outcomes { get; init; }
    public required DurationSummary Delay { get; init; }
    public required DurationSummary Process { get; init; }
    /// <summary>Jobs available now and waiting for a worker.</summary>
    public long Backlog { get; init; }
    /// <summary>Jobs running now: each holds a worker (an HTTP worker's slot, an SDK handler, a Gearman worker). Idle
    /// workers are invisible to the server, so this is the busy part of the workforce.</summary>
    public long Running { get; init; }
    /// <summary>How long the oldest available job has waited; null when none waits.</summary>
    public TimeSpan? OldestAvailableAge { get; init; }
    /// <summary>The delay p95 stayed above <see cref="StatsOptions.DelayWarning"/> for <see cref="StatsOptions.DelayWarningPeriod"/>.</summary>
    public bool FallingBehind { get; init; }
    public DateTimeOffset? BehindSince { get; init; }
}

/// <summary>A queue's totals since the server started, for <c>/metrics</c>.</summary>
/// <param name="Queue">The queue.</param>
/// <param name="Processed">Attempts by outcome (every processed outcome present).</param>
/// <param name="Delay">Delays in seconds.</param>
/// <param name="Process">Process times in seconds.</param>
public sealed record QueueTotals(string Queue, IReadOnlyDictionary<JobOutcome, long> Processed,
    CumulativeHistogramSnapshot Delay, CumulativeHistogramSnapshot Process);
