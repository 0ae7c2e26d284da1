namespace Gantry.Core.Jobs;

/// <summary>Why an attempt ended without success.</summary>
public enum FailureKind : byte
{
    /// <summary>The worker reported an error; retried with backoff while attempts remain.</summary>
    Error,
    /// <summary>The worker said retrying cannot help; the job goes straight to dead.</summary>
    Discard,
    /// <summary>The worker went silent past its lease; the server takes the job back and makes it available at once.</summary>
    LeaseExpired,
    /// <summary>The worker gave the job back unstarted or on shutdown; the attempt does not count.</summary>
    Released,
}

/// <summary>One attempt that ended without success.</summary>
public readonly record struct Failure(long Id, int Attempt, FailureKind Kind, string Message, string? Details = null)
{
    public LeaseRef Lease => new(Id, Attempt);
}

/// <summary>Where a failed attempt left the job.</summary>
/// <param name="Id">The job.</param>
/// <param name="Status"><see cref="LeaseStatus.Lost"/> when the lease did not match and nothing changed.</param>
/// <param name="State">The job's new state (when the lease matched).</param>
/// <param name="RunAt">When a retry is due (for <see cref="JobState.Failed"/>).</param>
/// <param name="Queue">The job's queue, so callers can wake its fetchers.</param>
/// <param name="Times">The failed attempt's times as they were before the failure (when the lease matched): the job log's input.</param>
public readonly record struct FailureResult(long Id, LeaseStatus Status, JobState State, DateTimeOffset? RunAt, string? Queue,
    AttemptTimes Times = default);

/// <summary>The job's facts a failure decision depends on, read under the row's lock.</summary>
public readonly record struct FailingJob(long Id, string Queue, JobState State, int Attempt, int MaxAttempts,
    bool CancelRequested, DateTimeOffset? LeaseExpiresAt, string? ErrorsJson);

/// <summary>What to write for a failed attempt: the new state, the retry time (null: run_at stays), the new error
/// history, and whether the attempt's start is forgotten (a release: that start did not count).</summary>
public readonly record struct FailureDecision(long Id, JobState State, DateTimeOffset? RunAt, int Attempt,
    DateTimeOffset? FinishedAt, string ErrorsJson, bool ClearStartedAt = false);
