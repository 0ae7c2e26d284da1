namespace Gantry.Core.Stats;

/// <summary>
/// One queue's figures: a sliding window of buckets (a ring of <see cref="StatsOptions.Buckets"/> slots, each one
/// bucket width of finish times) for the percentiles and the rate, and totals since the server started for the
/// metrics. Memory is fixed per queue: two small histograms per slot, whatever the traffic; a slot is made when a job
/// first ends in it, so a queue used once costs one slot, not the whole ring.
/// </summary>
/// <remarks>Callers hold <see cref="Gate"/> around every call.</remarks>
internal sealed class QueueStats
{
    private readonly Slot?[] _slots;
    private readonly long _bucketTicks;
    private readonly long[] _totals = new long[JobOutcomes.Count];
    private readonly CumulativeHistogram _delayTotal = new();
    private readonly CumulativeHistogram _processTotal = new();

    public QueueStats(string name, StatsOptions options)
    {
        Name = name;
        _bucketTicks = options.BucketWidth.Ticks;
        _slots = new Slot?[options.Buckets];
        Behind = new FallingBehindDetector(options.DelayWarning, options.DelayWarningPeriod);
    }

    public string Name { get; }

    public Lock Gate { get; } = new();

    public FallingBehindDetector Behind { get; }

    /// <summary>The latest finish time of a job of the queue, in UTC ticks: how long the queue has been idle.</summary>
    public long LastFinishedTicks { get; private set; }

    /// <summary>Set when <see cref="JobStats"/> forgot the queue: a record that finds it so goes to a new one.</summary>
    public bool Forgotten { get; set; }

    public void Add(in JobRecord record)
    {
        var delay = record.Delay;
        var process = record.ProcessTime;
        _totals[(int)record.Outcome]++;
        _delayTotal.Add(delay);
        _processTotal.Add(process);
        if (record.FinishedAt.UtcTicks > LastFinishedTicks) LastFinishedTicks = record.FinishedAt.UtcTicks;

        // A record lands in the bucket of its finish time. One that arrives after its bucket was reused for a newer
        // period (a batch held up for longer than the whole window) stays out of the window.
        var index = record.FinishedAt.UtcTicks / _bucketTicks;
        var slot = _slots[(int)(index % _slots.Length)] ??= new Slot();
        if (slot.Index != index)
        {
            if (slot.Index > index) return;
            slot.Reset(index);
        }
        slot.Delay.Add(delay);
        slot.Process.Add(process);
        slot.Outcomes[(int)record.Outcome]++;
    }

    /// <summary>The buckets that cover <paramref name="now"/> and the window before it, merged.</summary>
    /// <param name="now">The end of the window.</param>
    /// <param name="trackedSince">When counting began (the server's start): a younger window is shorter.</param>
    public QueueWindow Window(DateTimeOffset now, DateTimeOffset trackedSince)
    {
        var newest = now.UtcTicks / _bucketTicks;
        var oldest = newest - _slots.Length + 1;
        var delay = new LogHistogram();
        var process = new LogHistogram();
        var outcomes = new long[JobOutcomes.Count];
        foreach (var slot in _slots)
        {
            if (slot is null || slot.Index < oldest || slot.Index > newest) continue;
            delay.Merge(slot.Delay);
            process.Merge(slot.Process);
            for (var i = 0; i < outcomes.Length; i++) outcomes[i] += slot.Outcomes[i];
        }
        var start = new DateTimeOffset(oldest * _bucketTicks, TimeSpan.Zero);
        if (trackedSince > start) start = trackedSince;
        var covered = now > start ? now - start : TimeSpan.Zero;
        return new QueueWindow(delay, process, outcomes, covered);
    }

    public QueueTotals Totals() => new(Name,
        JobOutcomes.All.Where(o => o.IsProcessed()).ToDictionary(o => o, o => _totals[(int)o]),
        _delayTotal.Snapshot(), _processTotal.Snapshot());

    private sealed class Slot
    {
        public long Index = long.MinValue;
        public readonly LogHistogram Delay = new();
        public readonly LogHistogram Process = new();
        public readonly int[] Outcomes = new int[JobOutcomes.Count];

        public void Reset(long index)
        {
            Index = index;
            Delay.Clear();
            Process.Clear();
            Array.Clear(Outcomes);
        }
    }
}

/// <summary>A queue's window, merged: what percentiles and the rate are computed from.</summary>
internal sealed record QueueWindow(LogHistogram Delay, LogHistogram Process, long[] Outcomes, TimeSpan Covered)
{
    public long Processed => Outcomes.Sum();
}
