using Gantry.Core.Queues;

namespace Gantry.Core.Storage;

/// <summary>The queues port: the queues a store knows, with their counts and settings.</summary>
public interface IQueueStore
{
    Task<IReadOnlyList<QueueSummary>> QueueList(CancellationToken ct);

    /// <summary>Pauses or resumes a queue, creating it if needed.</summary>
    Task QueueSetPaused(string queue, bool paused, DateTimeOffset now, CancellationToken ct);

    /// <summary>Sets (or with null clears) the lane a queue's jobs live in, creating the queue if needed.</summary>
    Task QueueSetLane(string queue, string? lane, DateTimeOffset now, CancellationToken ct);

    /// <summary>Every queue that has a setting (paused, or a lane), without counting its jobs: cheap enough to read at
    /// every start and whenever another server changes one.</summary>
    Task<IReadOnlyList<QueueSetting>> QueueListSettings(CancellationToken ct);
}
