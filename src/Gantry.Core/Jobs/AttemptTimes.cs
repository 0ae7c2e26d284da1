namespace Gantry.Core.Jobs;

/// <summary>The times of the attempt a completion or failure just ended, read by the store in the same statement that
/// ended it (before a retry moves run_at): what the job log needs to work out delay and process time without a
/// second query.</summary>
/// <param name="CreatedAt">When the job was enqueued.</param>
/// <param name="RunAt">When this attempt became due: the schedule for a first attempt, the retry time for a later one.</param>
/// <param name="StartedAt">When this attempt was leased to a worker.</param>
public readonly record struct AttemptTimes(DateTimeOffset CreatedAt, DateTimeOffset RunAt, DateTimeOffset StartedAt);

/// <summary>What a completion did.</summary>
/// <param name="Id">The job.</param>
/// <param name="Status"><see cref="LeaseStatus.Lost"/> when the lease did not match and nothing changed.</param>
/// <param name="Queue">The job's queue (when the lease matched).</param>
/// <param name="Times">The finished attempt's times (when the lease matched).</param>
public readonly record struct CompletionResult(long Id, LeaseStatus Status, string? Queue, AttemptTimes Times);
