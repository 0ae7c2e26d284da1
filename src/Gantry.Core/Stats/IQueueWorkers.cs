namespace Gantry.Core.Stats;

/// <summary>
/// A front that knows which queues have workers connected now (Gearman's CAN_DO), so their statistics are not forgotten
/// while the queue has no jobs: a worker waiting for work is still a queue in use. Implemented by fronts that keep
/// connections; HTTP workers are not known to the server between their calls.
/// </summary>
public interface IQueueWorkers
{
    /// <summary>Whether a worker of <paramref name="queue"/> is connected now. Called from a timer, not a hot path.</summary>
    bool HasWorkers(string queue);
}
