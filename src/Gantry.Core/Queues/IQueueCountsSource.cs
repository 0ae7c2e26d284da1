namespace Gantry.Core.Queues;

/// <summary>
/// Queues whose jobs live outside the store: the Gearman front's in-memory lane. The engine lists them beside the
/// store's queues, so <c>gantry queues</c> and <c>GET /api/queues</c> show every queue an operator has, whatever
/// front filled it. Implementations answer from memory, without I/O.
/// </summary>
public interface IQueueCountsSource
{
    IReadOnlyList<QueueSummary> QueueCounts();
}
