namespace Gantry.Core.Jobs;

/// <summary>A job as the stores return it: everything the API, CLI and dashboard show.</summary>
public sealed record Job
{
    public required long Id { get; init; }
    public required string Queue { get; init; }
    public required JobState State { get; init; }
    public required ReadOnlyMemory<byte> Payload { get; init; }
    public string? UniqueKey { get; init; }
    public int Priority { get; init; }
    /// <summary>The earliest time the job may start (its schedule, or its next retry).</summary>
    public required DateTimeOffset RunAt { get; init; }
    /// <summary>How many times the job has been leased to a worker, including the current lease.</summary>
    public int Attempt { get; init; }
    public int MaxAttempts { get; init; }
    /// <summary>Lease length: a running job whose worker stays silent this long is taken back.</summary>
    public TimeSpan Timeout { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>When the latest attempt started.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public DateTimeOffset? LeaseExpiresAt { get; init; }
    public bool CancelRequested { get; init; }
    public ReadOnlyMemory<byte>? Result { get; init; }
    /// <summary>Oldest first; bounded by <see cref="Options.JobLimits.MaxErrorHistory"/>.</summary>
    public IReadOnlyList<JobError> Errors { get; init; } = [];

    /// <summary>Enqueue → start of the latest attempt: start − max(created, run_at) (DESIGN.md).</summary>
    public TimeSpan? Delay => JobTimes.Delay(CreatedAt, RunAt, StartedAt);

    /// <summary>Start → finish of the latest attempt.</summary>
    public TimeSpan? ProcessTime => JobTimes.Process(StartedAt, FinishedAt);
}

/// <summary>The two durations DESIGN.md defines per job, in one place.</summary>
public static class JobTimes
{
    /// <summary>start − max(created, run_at); null until the job has started.</summary>
    public static TimeSpan? Delay(DateTimeOffset createdAt, DateTimeOffset runAt, DateTimeOffset? startedAt)
    {
        if (startedAt is not { } started) return null;
        var ready = runAt > createdAt ? runAt : createdAt;
        var delay = started - ready;
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
    }

    /// <summary>finished − started; null until the job has finished after starting.</summary>
    public static TimeSpan? Process(DateTimeOffset? startedAt, DateTimeOffset? finishedAt) =>
        startedAt is { } s && finishedAt is { } f && f >= s ? f - s : null;
}
