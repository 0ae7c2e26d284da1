using Gantry.Core.Jobs;

namespace Gantry.Core.Stats;

/// <summary>How one attempt of a job ended, as the job log, the statistics and the metrics name it.</summary>
public enum JobOutcome : byte
{
    /// <summary>The worker completed the job.</summary>
    Succeeded,
    /// <summary>The worker reported an error; a retry is scheduled.</summary>
    Failed,
    /// <summary>The attempt failed and the job will not run again (attempts spent, or discarded by the worker).</summary>
    Dead,
    /// <summary>The job was cancelled while this attempt ran.</summary>
    Cancelled,
    /// <summary>The worker went silent past its lease; the server took the job back for another attempt.</summary>
    LeaseExpired,
    /// <summary>The worker gave the job back unfinished (shutdown); the attempt does not count. Logged, but not
    /// counted as processed: nothing was done.</summary>
    Released,
}

public static class JobOutcomes
{
    /// <summary>Every outcome, in the order of <see cref="JobOutcome"/>'s values.</summary>
    public static IReadOnlyList<JobOutcome> All { get; } = Enum.GetValues<JobOutcome>();

    public static int Count { get; } = All.Count;

    /// <summary>The lower-case name used in logs, on the wire and as the metrics' <c>outcome</c> label.</summary>
    public static string ToWire(this JobOutcome outcome) => outcome switch
    {
        JobOutcome.Succeeded => "succeeded",
        JobOutcome.Failed => "failed",
        JobOutcome.Dead => "dead",
        JobOutcome.Cancelled => "cancelled",
        JobOutcome.LeaseExpired => "lease_expired",
        JobOutcome.Released => "released",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "unknown outcome"),
    };

    /// <summary>Whether the attempt counts as processed in statistics and metrics: every outcome but a release.</summary>
    public static bool IsProcessed(this JobOutcome outcome) => outcome != JobOutcome.Released;

    /// <summary>The outcome of an attempt that did not succeed, from why it ended and the state it left the job in.
    /// Where the job ended matters more than how: a lease that expired on the last attempt is <see cref="JobOutcome.Dead"/>.</summary>
    public static JobOutcome OfFailure(FailureKind kind, JobState newState) => newState switch
    {
        JobState.Dead => JobOutcome.Dead,
        JobState.Cancelled => JobOutcome.Cancelled,
        _ => kind switch
        {
            FailureKind.LeaseExpired => JobOutcome.LeaseExpired,
            FailureKind.Released => JobOutcome.Released,
            _ => JobOutcome.Failed,
        },
    };
}
