using Gantry.Core.Jobs;

namespace Gantry.Core.Memory;

/// <summary>One queue of the memory lane: its available jobs in the order workers get them, its unique keys, and its
/// counts by state. Guarded by the lane's lock.</summary>
internal sealed class MemoryQueue(string name)
{
    private readonly AvailableLine _available = new();
    private readonly long[] _counts = new long[JobStates.All.Count];
    private readonly int[] _availableByBand = new int[3];

    public string Name { get; } = name;
    public bool Paused { get; set; }
    public Dictionary<string, MemoryJob> Uniques { get; } = new(StringComparer.Ordinal);

    /// <summary>Jobs not yet finished (scheduled, available, running, failed): the queue cannot be dropped while any is.</summary>
    public long Live => _counts[(int)JobState.Scheduled] + _counts[(int)JobState.Available] + _counts[(int)JobState.Running] +
                        _counts[(int)JobState.Failed];

    /// <summary>Every job the lane still holds, finished ones included.</summary>
    public long Total { get; private set; }

    public long Count(JobState state) => _counts[(int)state];

    /// <summary>Available jobs by Gearman's three priorities (above 0, 0, below 0), for its admin protocol and maxqueue.</summary>
    public int AvailableInBand(int band) => _availableByBand[band];

    public static int BandOf(int priority) => priority > 0 ? 0 : priority == 0 ? 1 : 2;

    public void Counted(JobState state, int delta)
    {
        _counts[(int)state] += delta;
    }

    public void Added() => Total++;

    public void Removed() => Total--;

    /// <summary>Makes the job available (its state set by the caller) and puts it in line.</summary>
    public void PushAvailable(MemoryJob job)
    {
        job.Stamp++;
        _available.Push(job);
        _availableByBand[BandOf(job.Priority)]++;
    }

    /// <summary>The first available job, dropping stale entries on the way; null when none waits.</summary>
    public MemoryJob? PeekAvailable() => _available.Peek();

    /// <summary>Takes the job <see cref="PeekAvailable"/> returned out of line.</summary>
    public void TakeAvailable(MemoryJob job)
    {
        _available.TakePeeked(job);
        LeftAvailable(job);
    }

    /// <summary>An available job left the line some other way (cancelled): its entry goes stale.</summary>
    public void LeftAvailable(MemoryJob job)
    {
        job.Stamp++;
        _availableByBand[BandOf(job.Priority)]--;
    }

    /// <summary>The earliest time an available job became ready (its run_at), or null; a scan, for listings only.</summary>
    public DateTimeOffset? OldestAvailable()
    {
        DateTimeOffset? oldest = null;
        foreach (var job in _available.Live())
            if (oldest is null || job.RunAt < oldest) oldest = job.RunAt;
        return oldest;
    }

    public IReadOnlyDictionary<JobState, long> Counts() => JobStates.All.ToDictionary(s => s, s => _counts[(int)s]);
}
