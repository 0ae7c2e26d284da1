using Gantry.Core.Jobs;

namespace Gantry.Core.Memory;

/// <summary>
/// A job of the memory lane: the same fields as a stored job, kept in a mutable object the lane changes under its
/// lock. Entries in the lane's heaps name the job with a stamp; a change that takes the job out of a heap bumps the
/// stamp, so stale entries are recognised and skipped when they reach the top (nothing is ever searched for).
/// </summary>
internal sealed class MemoryJob
{
    public required long Id { get; init; }
    public required MemoryQueue Queue { get; init; }
    public required ReadOnlyMemory<byte> Payload { get; init; }
    public string? UniqueKey { get; init; }
    public required int Priority { get; init; }
    // Times are kept as UTC ticks (0: none) rather than DateTimeOffset? (24 bytes each): the lane holds up to a million
    // jobs, and makes one per Gearman submission.
    private long _createdAt, _runAt, _startedAt, _finishedAt, _leaseExpiresAt;

    public required DateTimeOffset CreatedAt { get => At(_createdAt); init => _createdAt = value.UtcTicks; }
    public required int MaxAttempts { get; init; }
    public required TimeSpan Timeout { get; init; }

    public JobState State { get; set; }
    public DateTimeOffset RunAt { get => At(_runAt); set => _runAt = value.UtcTicks; }
    public int Attempt { get; set; }
    public DateTimeOffset? StartedAt { get => AtOrNull(_startedAt); set => _startedAt = value?.UtcTicks ?? 0; }
    public DateTimeOffset? FinishedAt { get => AtOrNull(_finishedAt); set => _finishedAt = value?.UtcTicks ?? 0; }
    public DateTimeOffset? LeaseExpiresAt { get => AtOrNull(_leaseExpiresAt); set => _leaseExpiresAt = value?.UtcTicks ?? 0; }
    public bool CancelRequested { get; set; }
    public ReadOnlyMemory<byte>? Result { get; set; }
    public string? ErrorsJson { get; set; }
    /// <summary>Someone waits for this job's end: it is announced, and the job is kept longer for reading.</summary>
    public bool Watched { get; set; }
    /// <summary>A front follows this job (it keeps a record of it, as the Gearman front does of a job with clients
    /// attached): its end is announced, unless the front itself brought it, but it is kept no longer than any other.</summary>
    public bool Followed { get; set; }

    public long RunAtTicks => _runAt;
    public long LeaseExpiresAtTicks => _leaseExpiresAt;

    private static DateTimeOffset At(long ticks) => new(ticks, TimeSpan.Zero);
    private static DateTimeOffset? AtOrNull(long ticks) => ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);

    /// <summary>Bumped whenever the job enters or leaves a heap; a heap entry is live only while its stamp matches.</summary>
    public int Stamp { get; set; }

    /// <summary>The job's node in the lane's list of running jobs, or of finished jobs kept for reading (never both at
    /// once): made at its first lease or finish and reused.</summary>
    public LinkedListNode<MemoryJob>? Node { get; set; }

    public bool IsLive => !State.IsFinished();

    /// <summary>The order workers get jobs in: highest priority, then earliest run_at, then lowest id.</summary>
    public AvailableKey Key => new(-Priority, _runAt, Id);

    public Job ToJob() => new()
    {
        Id = Id,
        Queue = Queue.Name,
        State = State,
        Payload = Payload,
        UniqueKey = UniqueKey,
        Priority = Priority,
        RunAt = RunAt,
        Attempt = Attempt,
        MaxAttempts = MaxAttempts,
        Timeout = Timeout,
        CreatedAt = CreatedAt,
        StartedAt = StartedAt,
        FinishedAt = FinishedAt,
        LeaseExpiresAt = LeaseExpiresAt,
        CancelRequested = CancelRequested,
        Result = Result,
        Errors = ErrorHistory.Parse(ErrorsJson),
    };

    public LeasedJob ToLeased() => new(Id, Queue.Name, Attempt, MaxAttempts, Priority, Payload, UniqueKey, CreatedAt, RunAt,
        StartedAt!.Value, LeaseExpiresAt!.Value, Timeout);

    public AttemptTimes Times => new(CreatedAt, RunAt, StartedAt ?? default);
}

/// <summary>A heap key in the order workers get jobs: lower sorts first.</summary>
internal readonly record struct AvailableKey(int NegativePriority, long RunAtTicks, long Id) : IComparable<AvailableKey>
{
    public int CompareTo(AvailableKey other)
    {
        var c = NegativePriority.CompareTo(other.NegativePriority);
        if (c != 0) return c;
        c = RunAtTicks.CompareTo(other.RunAtTicks);
        return c != 0 ? c : Id.CompareTo(other.Id);
    }
}
