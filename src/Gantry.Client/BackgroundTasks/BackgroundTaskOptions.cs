namespace Gantry.Client.BackgroundTasks;

/// <summary>
/// How one in-process background task queue runs: how many tasks may wait, how many run at once, what happens when it
/// is full, and how long shutdown waits for queued work. Checked at start by <see cref="BackgroundTaskOptionsValidator"/>.
/// </summary>
public sealed class BackgroundTaskOptions
{
    /// <summary>The name of the queue that <c>AddGantryBackgroundTasks(o => …)</c> registers, as it appears in logs and
    /// in the <c>gantry.background_tasks.queue</c> metric tag; its options are the unnamed (default) options instance.</summary>
    public const string DefaultQueueName = "default";

    /// <summary>Defaults to 1000 tasks waiting to start, because the queue lives in the app's own memory: a bound turns a
    /// burst that outruns the consumers into backpressure or a clear rejection instead of an out-of-memory crash, and
    /// 1000 small closures cost well under a megabyte while absorbing any ordinary burst of requests.</summary>
    public const int DefaultCapacity = 1000;

    /// <summary>Defaults to 1 task running at a time, because background tasks share the thread pool, CPU and database
    /// connections with the app's requests: one consumer can never starve them. Raise it for I/O-bound tasks (sending
    /// mail, calling APIs), where several at once cost little.</summary>
    public const int DefaultConsumers = 1;

    /// <summary>Defaults to <see cref="BackgroundTaskFullMode.Wait"/>, because slowing a producer down loses nothing,
    /// whereas rejecting drops work the caller may not expect to retry.</summary>
    public const BackgroundTaskFullMode DefaultFullMode = BackgroundTaskFullMode.Wait;

    /// <summary>Defaults to 20 seconds for queued and running tasks to finish at shutdown before the rest are cancelled,
    /// because that fits inside the Generic Host's default 30-second shutdown timeout with room for the other services
    /// (the same grace the Gantry worker host gives its jobs).</summary>
    public static readonly TimeSpan DefaultShutdownGracePeriod = TimeSpan.FromSeconds(20);

    /// <summary>Tasks that may wait to start; a full queue waits or rejects by <see cref="FullMode"/>.</summary>
    public int Capacity { get; set; } = DefaultCapacity;

    /// <summary>Tasks run at once, each on the shared thread pool.</summary>
    public int Consumers { get; set; } = DefaultConsumers;

    /// <summary>What enqueueing into a full queue does.</summary>
    public BackgroundTaskFullMode FullMode { get; set; } = DefaultFullMode;

    /// <summary>At shutdown: how long queued and running tasks get to finish before running ones are cancelled (their
    /// token fires) and the ones that never started are dropped. Zero cancels at once.</summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = DefaultShutdownGracePeriod;
}
