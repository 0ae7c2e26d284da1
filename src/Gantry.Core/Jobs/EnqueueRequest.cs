namespace Gantry.Core.Jobs;

/// <summary>What a caller asks for when enqueueing; anything left null takes the server's default. A struct: the memory
/// lane's hot path makes one per job.</summary>
public readonly struct EnqueueRequest
{
    public required string Queue { get; init; }

    /// <summary>Any bytes; JSON by convention.</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>Do not start before this time. Exclusive with <see cref="Delay"/>.</summary>
    public DateTimeOffset? RunAt { get; init; }

    /// <summary>Do not start before now + this. Exclusive with <see cref="RunAt"/>.</summary>
    public TimeSpan? Delay { get; init; }

    /// <summary>Higher runs first among available jobs of the queue.</summary>
    public int? Priority { get; init; }

    /// <summary>While a live job of this queue holds the key, enqueueing it again returns that job.</summary>
    public string? UniqueKey { get; init; }

    public int? MaxAttempts { get; init; }

    /// <summary>Lease length; see <see cref="Job.Timeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The caller will wait for the result: ask the store to announce this job's end to every server.</summary>
    public bool WatchFinish { get; init; }
}

/// <summary>What enqueueing produced.</summary>
/// <param name="Id">The new job, or the live job that already held the unique key.</param>
/// <param name="State">The job's state right after the call.</param>
/// <param name="Existing">True when <paramref name="Id"/> is an existing job returned for its unique key.</param>
public readonly record struct EnqueueResult(long Id, JobState State, bool Existing);
