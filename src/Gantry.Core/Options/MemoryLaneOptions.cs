namespace Gantry.Core.Options;

/// <summary>The in-memory lane: <c>Gantry:MemoryLane</c>.</summary>
public sealed class MemoryLaneOptions
{
    /// <summary>Defaults to one million live jobs across all memory queues: far beyond any healthy backlog, and a bound on
    /// the memory a runaway producer can take (about a gigabyte of 1 KiB payloads). Past it, enqueueing into a memory
    /// queue is refused as "unavailable, try again".</summary>
    public const int DefaultMaxJobs = 1_000_000;

    /// <summary>Defaults to the latest 10,000 finished memory jobs that someone waited for (a submit-and-wait over HTTP
    /// or the SDK, a Gearman client attached to a job another front ran) kept for reading: the memory lane is for
    /// throughput, so its history is short and bounded by count as well as by the retention times.</summary>
    public const int DefaultKeepFinished = 10_000;

    /// <summary>Defaults to the latest 1,000 other finished memory jobs kept for a look (<c>gantry job ID</c>): enough to
    /// see what just happened, few enough that they die young (a long tail of finished jobs nobody reads costs the
    /// garbage collector more than the jobs did).</summary>
    public const int DefaultKeepUnwatched = 1_000;

    public int MaxJobs { get; set; } = DefaultMaxJobs;

    public int KeepFinished { get; set; } = DefaultKeepFinished;

    public int KeepUnwatched { get; set; } = DefaultKeepUnwatched;
}
