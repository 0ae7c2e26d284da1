namespace Gantry.Core.Jobs;

/// <summary>A job handed to a worker. <see cref="Id"/> and <see cref="Attempt"/> together name the lease:
/// heartbeats, completion and failure must quote both, so a worker whose lease was lost cannot touch
/// the job's next attempt.</summary>
public sealed record LeasedJob(
    long Id,
    string Queue,
    int Attempt,
    int MaxAttempts,
    int Priority,
    ReadOnlyMemory<byte> Payload,
    string? UniqueKey,
    DateTimeOffset CreatedAt,
    DateTimeOffset RunAt,
    DateTimeOffset StartedAt,
    DateTimeOffset LeaseExpiresAt,
    TimeSpan Timeout)
{
    public LeaseRef Lease => new(Id, Attempt);
}

/// <summary>Names one lease: a job and the attempt it was leased for.</summary>
public readonly record struct LeaseRef(long Id, int Attempt);

/// <summary>What happened to a lease a worker quoted.</summary>
public enum LeaseStatus : byte
{
    /// <summary>The operation applied.</summary>
    Ok,
    /// <summary>The job is not running under this lease any more (expired and taken back, finished, or unknown).</summary>
    Lost,
    /// <summary>Heartbeat only: the lease was extended, but someone asked to cancel the job; the worker should stop.</summary>
    CancelRequested,
}

/// <summary>The answer to a heartbeat.</summary>
public readonly record struct HeartbeatResult(long Id, LeaseStatus Status, DateTimeOffset? LeaseExpiresAt);

/// <summary>A worker reporting success.</summary>
public readonly record struct Completion(long Id, int Attempt, ReadOnlyMemory<byte>? Result)
{
    public LeaseRef Lease => new(Id, Attempt);
}
