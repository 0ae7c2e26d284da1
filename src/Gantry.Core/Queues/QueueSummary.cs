using Gantry.Core.Jobs;

namespace Gantry.Core.Queues;

/// <summary>A queue as <c>gantry queues</c> and <c>GET /api/queues</c> show it.</summary>
/// <param name="Name">The queue's name.</param>
/// <param name="Paused">Paused queues keep their jobs but hand none to workers.</param>
/// <param name="Counts">Jobs per state; states with no jobs are present with 0.</param>
/// <param name="OldestAvailableSince">When the longest-waiting available job became ready (max of created and run_at); null when none is waiting.</param>
public sealed record QueueSummary(
    string Name,
    bool Paused,
    IReadOnlyDictionary<JobState, long> Counts,
    DateTimeOffset? OldestAvailableSince)
{
    /// <summary>How long the oldest available job has waited at <paramref name="now"/>.</summary>
    public TimeSpan? OldestAvailableAge(DateTimeOffset now) =>
        OldestAvailableSince is { } since ? (now > since ? now - since : TimeSpan.Zero) : null;

    /// <summary>Where the queue's jobs live: <see cref="QueueLanes.Durable"/> (the store) or <see cref="QueueLanes.Memory"/>.</summary>
    public string Lane { get; init; } = QueueLanes.Durable;

    /// <summary>Workers' fetches parked on this server now, waiting for a job of the queue (long polls).</summary>
    public int WaitingFetches { get; init; }
}

public static class QueueLanes
{
    public const string Durable = "durable";
    public const string Memory = "memory";
}
