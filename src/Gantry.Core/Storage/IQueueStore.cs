using Gantry.Core.Queues;

namespace Gantry.Core.Storage;

/// <summary>The queues port: the queues a store knows, with their counts and settings.</summary>
public interface IQueueStore
{
    Task<IReadOnlyList<QueueSummary>> QueueList(CancellationToken ct);

    /// <summary>Pauses or resumes a queue, creating it if needed.</summary>
    Task QueueSetPaused(string queue, bool paused, DateTimeOffset now, CancellationToken ct);
}
