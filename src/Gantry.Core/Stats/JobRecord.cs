using Gantry.Core.Jobs;

namespace Gantry.Core.Stats;

/// <summary>One line of the job log: an attempt that ended, with the times DESIGN.md's two durations come from.</summary>
/// <param name="Queue">The job's queue.</param>
/// <param name="JobId">The job.</param>
/// <param name="Attempt">The attempt that ended (1 for the first).</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="CreatedAt">When the job was enqueued.</param>
/// <param name="RunAt">When this attempt became due: the job's schedule for a first attempt, the retry time for a later one.</param>
/// <param name="StartedAt">When this attempt was leased to a worker.</param>
/// <param name="FinishedAt">When the server recorded the end of the attempt.</param>
public readonly record struct JobRecord(
    string Queue,
    long JobId,
    int Attempt,
    JobOutcome Outcome,
    DateTimeOffset CreatedAt,
    DateTimeOffset RunAt,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt)
{
    /// <summary>start − max(created, run_at): how long the attempt waited for a worker once it was due.</summary>
    public TimeSpan Delay => JobTimes.Delay(CreatedAt, RunAt, StartedAt) ?? TimeSpan.Zero;

    /// <summary>finished − started: how long a worker held the attempt.</summary>
    public TimeSpan ProcessTime => JobTimes.Process(StartedAt, FinishedAt) ?? TimeSpan.Zero;
}
