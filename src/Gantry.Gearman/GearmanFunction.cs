using System.Text;

namespace Gantry.Gearman;

/// <summary>One function name's queues (one per priority), its capable workers and its unique-id table.</summary>
internal sealed class GearmanFunction(string name, GearmanFunctionOptions options)
{
    public string Name { get; } = name;
    public byte[] NameBytes { get; } = Encoding.UTF8.GetBytes(name);
    public GearmanFunctionOptions Options { get; } = options;
    public bool Durable => Options.Lane == GearmanLane.Durable;

    public readonly JobDeque[] Queues = [new(), new(), new()];
    /// <summary>Live queued jobs per priority (the deques also hold stale entries).</summary>
    public readonly int[] Queued = new int[3];
    /// <summary>gearmand's maxqueue per priority; 0 means no limit.</summary>
    public readonly int[] MaxQueue = new int[3];
    public int Running { get; set; }
    /// <summary>Of the queued jobs, the durable ones leased from the store ahead of their grab.</summary>
    public int DurableQueued { get; set; }
    /// <summary>Of <see cref="Running"/>, the durable jobs leased from the store.</summary>
    public int DurableRunning { get; set; }
    /// <summary>Memory jobs waiting for their time (they count in the admin total, as gearmand's epoch jobs do).</summary>
    public int Scheduled { get; set; }
    public readonly List<GearmanSession> Workers = [];
    public readonly Dictionary<string, GearmanJob> Uniques = new(StringComparer.Ordinal);
    /// <summary>Counts the store's "jobs available" signals for this durable function, so a worker that asked the
    /// store before a signal and goes to sleep after it is woken at once instead of missing it.</summary>
    public long WakeGeneration { get; set; }
    /// <summary>Whether the wake-up loop for this durable function's store queue runs.</summary>
    public bool Watched { get; set; }

    public int QueuedTotal => Queued[0] + Queued[1] + Queued[2];
}
