namespace Gantry.Core.Jobs;

/// <summary>A validated job ready to be stored: every default applied, times resolved against one clock reading.</summary>
public readonly record struct NewJob(
    string Queue,
    ReadOnlyMemory<byte> Payload,
    string? UniqueKey,
    int Priority,
    DateTimeOffset RunAt,
    int MaxAttempts,
    TimeSpan Timeout,
    DateTimeOffset CreatedAt,
    bool WatchFinish)
{
    /// <summary>Scheduled when it may not start yet, otherwise available at once.</summary>
    public JobState InitialState => RunAt > CreatedAt ? JobState.Scheduled : JobState.Available;
}
