using System.Text.Json;

namespace Gantry.Client.Workers;

/// <summary>How the worker host runs.</summary>
public sealed class GantryWorkerOptions
{
    /// <summary>Defaults to 30 seconds per fetch long poll: an idle worker costs two requests a minute, and picks up a
    /// new job the moment it is enqueued.</summary>
    public static readonly TimeSpan DefaultFetchWait = TimeSpan.FromSeconds(30);
    /// <summary>Defaults to 20 seconds for in-flight jobs to finish at shutdown before they are cancelled and released
    /// (inside the Generic Host's default 30-second shutdown timeout).</summary>
    public static readonly TimeSpan DefaultShutdownGracePeriod = TimeSpan.FromSeconds(20);
    /// <summary>Defaults to 1 second of pause after a failed call to the server before trying again.</summary>
    public static readonly TimeSpan DefaultRetryDelay = TimeSpan.FromSeconds(1);
    /// <summary>Defaults to 30 seconds at most between tries while calls keep failing (the pause doubles from
    /// <see cref="RetryDelay"/>): a worker finds a restarted server within half a minute without hammering it meanwhile.</summary>
    public static readonly TimeSpan DefaultMaxRetryDelay = TimeSpan.FromSeconds(30);

    public GantryClientOptions Client { get; set; } = GantryClientOptions.FromEnvironment();
    public TimeSpan FetchWait { get; set; } = DefaultFetchWait;
    public TimeSpan ShutdownGracePeriod { get; set; } = DefaultShutdownGracePeriod;
    public TimeSpan RetryDelay { get; set; } = DefaultRetryDelay;
    public TimeSpan MaxRetryDelay { get; set; } = DefaultMaxRetryDelay;
    public JsonSerializerOptions PayloadOptions { get; set; } = PayloadJson.Default;
    /// <summary>Defaults to null: no limit. When set, the host leases at most this many jobs in all (over every queue,
    /// never more than it has left), then stops leasing and, once they have finished, tells
    /// <see cref="IJobObserver.BudgetSpent"/>: a supervisor recycles the process without dropping a job.</summary>
    public int? MaxJobs { get; set; }
    /// <summary>Defaults to false: at shutdown, fetches on the wire are cancelled at once. Should the server have just
    /// leased jobs to such a fetch, they wait for their leases to expire before they run elsewhere. When true, open
    /// fetches may finish (within the grace period) and the jobs they bring are given back at once; a short
    /// <see cref="FetchWait"/> then keeps the stop quick. For processes stopped often, such as a worker manager's children.</summary>
    public bool FinishFetchesOnStop { get; set; }
    /// <summary>Hears about every job started and finished; null for none.</summary>
    public IJobObserver? Observer { get; set; }
    internal List<QueueRegistration> Queues { get; } = [];
    internal List<GroupRegistration> Groups { get; } = [];
}

/// <summary>One queue the host works, and how.</summary>
public sealed class QueueRegistration
{
    /// <summary>Defaults to 1 job at a time per queue; raise it for I/O-bound handlers.</summary>
    public const int DefaultConcurrency = 1;
    /// <summary>Defaults to 0: fetch only as many jobs as there are free slots, so jobs are never held back from other
    /// workers. Raise it for many short jobs: a buffer of leased jobs waiting for a slot turns one round trip per
    /// batch of free slots into one round trip per buffer refill.</summary>
    public const int DefaultPrefetch = 0;

    internal QueueRegistration(string queue, Type handlerType) => (Queue, HandlerType) = (queue, handlerType);

    public string Queue { get; }
    public Type HandlerType { get; }
    public int Concurrency { get; set; } = DefaultConcurrency;
    /// <summary>Leased jobs to hold beyond <see cref="Concurrency"/>; their leases are heartbeaten while they wait.</summary>
    public int Prefetch { get; set; } = DefaultPrefetch;
}
