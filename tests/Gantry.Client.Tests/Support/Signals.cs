namespace Gantry.Client.Tests.Support;

/// <summary>One-shot signals for tests, and a limit on waiting for them. The limit is not a timing assertion: it only
/// turns a broken build's hang into a failure; passing tests go on the moment the signal is set.</summary>
public static class Signals
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>A signal whose waiters resume on the thread pool, never inline inside the thread that sets it.</summary>
    public static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static TaskCompletionSource<T> New<T>() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task OrTimeout(this Task task, string what = "a signal")
    {
        try
        {
            await task.WaitAsync(Limit);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw new TimeoutException($"Gave up waiting for {what}");
        }
    }

    public static async Task<T> OrTimeout<T>(this Task<T> task, string what = "a signal")
    {
        await ((Task)task).OrTimeout(what);
        return await task;
    }
}
