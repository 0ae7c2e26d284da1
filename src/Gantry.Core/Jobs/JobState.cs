namespace Gantry.Core.Jobs;

/// <summary>
/// Where a job is in its life. The numeric values are what the stores persist, so they never change;
/// new states get new numbers.
/// </summary>
/// <remarks>
/// scheduled → available → running → succeeded | failed (retried later) | dead | cancelled.
/// A <see cref="Failed"/> job waits for its retry at <c>run_at</c>; the scheduler makes it available
/// again when that time comes, exactly as it does for a <see cref="Scheduled"/> job.
/// </remarks>
public enum JobState : short
{
    /// <summary>Waiting for its <c>run_at</c> time.</summary>
    Scheduled = 0,
    /// <summary>Ready to be fetched by a worker.</summary>
    Available = 1,
    /// <summary>Leased by a worker; the lease expires unless heartbeats extend it.</summary>
    Running = 2,
    /// <summary>Finished with a result.</summary>
    Succeeded = 3,
    /// <summary>The last attempt failed; a retry is scheduled at <c>run_at</c> (backoff).</summary>
    Failed = 4,
    /// <summary>Attempts exhausted or discarded by the worker; kept for inspection, never retried.</summary>
    Dead = 5,
    /// <summary>Cancelled before it finished.</summary>
    Cancelled = 6,
}

/// <summary>Facts about states that several layers need to agree on.</summary>
public static class JobStates
{
    /// <summary>Every state, in the order of <see cref="JobState"/>'s values.</summary>
    public static IReadOnlyList<JobState> All { get; } = Enum.GetValues<JobState>();

    /// <summary>A final state: the job will not run again.</summary>
    public static bool IsFinished(this JobState state) =>
        state is JobState.Succeeded or JobState.Dead or JobState.Cancelled;

    /// <summary>A live job holds its unique key: a second enqueue with that key returns it.</summary>
    public static bool IsLive(this JobState state) => !state.IsFinished();

    /// <summary>The lower-case name used on the wire and in the CLI.</summary>
    public static string ToWire(this JobState state) => state switch
    {
        JobState.Scheduled => "scheduled",
        JobState.Available => "available",
        JobState.Running => "running",
        JobState.Succeeded => "succeeded",
        JobState.Failed => "failed",
        JobState.Dead => "dead",
        JobState.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown job state"),
    };

    /// <summary>Parses a wire name (case-insensitive); false for anything else.</summary>
    public static bool TryParseWire(string? text, out JobState state)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.ToWire(), text, StringComparison.OrdinalIgnoreCase))
            {
                state = candidate;
                return true;
            }
        }
        state = default;
        return false;
    }

    /// <summary>The wire names, for error messages that list what is accepted.</summary>
    public static string WireNames { get; } = string.Join(", ", All.Select(s => s.ToWire()));
}
