namespace Gantry.Core.Jobs;

/// <summary>A page of jobs, newest first. <see cref="Before"/> is the cursor: the previous page's <see cref="JobPage.Next"/>.</summary>
public sealed record JobQuery(string? Queue, JobState? State, int Limit, long? Before)
{
    /// <summary>Defaults to 50 jobs per page.</summary>
    public const int DefaultLimit = 50;
    /// <summary>500 jobs per page at most: pages carry payloads.</summary>
    public const int MaxLimit = 500;
}

/// <summary>One page of <see cref="JobQuery"/>; <see cref="Next"/> is null on the last page.</summary>
public sealed record JobPage(IReadOnlyList<Job> Jobs, long? Next);

/// <summary>What cancelling did.</summary>
public enum CancelOutcome : byte
{
    /// <summary>The job was waiting and is now cancelled.</summary>
    Cancelled,
    /// <summary>The job is running; its worker sees the request at its next heartbeat.</summary>
    CancelRequested,
    /// <summary>The job had already finished; nothing changed.</summary>
    AlreadyFinished,
    /// <summary>No such job.</summary>
    NotFound,
}
