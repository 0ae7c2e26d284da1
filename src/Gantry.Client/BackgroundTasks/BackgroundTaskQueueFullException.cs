namespace Gantry.Client.BackgroundTasks;

/// <summary>
/// Thrown by <c>EnqueueAsync</c> on a queue whose <see cref="BackgroundTaskOptions.FullMode"/> is
/// <see cref="BackgroundTaskFullMode.Reject"/> when <see cref="BackgroundTaskOptions.Capacity"/> tasks already wait:
/// the task was not queued. On a request path, answer "try again later" (HTTP 503).
/// </summary>
public sealed class BackgroundTaskQueueFullException : InvalidOperationException
{
    public BackgroundTaskQueueFullException(string queueName, int capacity)
        : base($"The background task queue '{queueName}' is full: {capacity} tasks are already waiting to start " +
               $"(BackgroundTaskOptions.Capacity = {capacity}), and its FullMode is Reject, so this task was not queued. " +
               "Raise Capacity, or Consumers so tasks start sooner, in AddGantryBackgroundTasks(o => …); or set " +
               "FullMode = BackgroundTaskFullMode.Wait to make EnqueueAsync wait for room instead.")
    {
        QueueName = queueName;
        Capacity = capacity;
    }

    public string QueueName { get; }
    public int Capacity { get; }
}
