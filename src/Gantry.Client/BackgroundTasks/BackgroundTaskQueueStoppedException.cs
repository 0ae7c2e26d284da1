namespace Gantry.Client.BackgroundTasks;

/// <summary>
/// Thrown by <c>EnqueueAsync</c> once the app has begun shutting down (also to a producer that was waiting for room
/// then): the queue is draining what it holds, and a task queued now could never be guaranteed to run.
/// </summary>
public sealed class BackgroundTaskQueueStoppedException : InvalidOperationException
{
    public BackgroundTaskQueueStoppedException(string queueName, Exception? inner = null)
        : base($"The background task queue '{queueName}' no longer accepts tasks: the application is shutting down and the " +
               "queue is draining the tasks it already holds. Enqueue before shutdown begins, or make work that must survive " +
               "a shutdown a durable Gantry job instead.", inner)
    {
        QueueName = queueName;
    }

    public string QueueName { get; }
}
