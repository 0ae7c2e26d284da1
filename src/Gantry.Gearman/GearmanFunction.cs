using System.Text;

namespace Gantry.Gearman;

/// <summary>One function name: its capable workers, its maxqueue limits, and (durable functions) the jobs leased from the
/// store ahead of their grab. Its memory jobs are a queue of the engine's memory lane. Guarded by the job server's lock.</summary>
internal sealed class GearmanFunction(string name, GearmanFunctionOptions options)
{
    public string Name { get; } = name;
    public byte[] NameBytes { get; } = Encoding.UTF8.GetBytes(name);
    public GearmanFunctionOptions Options { get; } = options;

    /// <summary>Durable jobs leased from the store ahead of their grab, one line per priority (high, normal, low).</summary>
    public readonly JobDeque[] Prefetched = [new(), new(), new()];
    /// <summary>Live entries in <see cref="Prefetched"/> (the deques also hold stale ones).</summary>
    public int DurableQueued { get; set; }
    /// <summary>Durable jobs Gearman workers run now.</summary>
    public int DurableRunning { get; set; }
    /// <summary>gearmand's maxqueue per priority; 0 means no limit.</summary>
    public readonly int[] MaxQueue = new int[3];
    public readonly List<GearmanSession> Workers = [];
    /// <summary>Counts the store's "jobs available" signals for this durable function, so a worker that asked the
    /// store before a signal and goes to sleep after it is woken at once instead of missing it.</summary>
    public long WakeGeneration { get; set; }

    /// <summary>Whether its background jobs go to the store, as worked out at <see cref="LaneVersion"/> of the queue settings.</summary>
    public bool Durable { get; set; }
    public int LaneVersion { get; set; } = -1;

    public bool HasLimits => MaxQueue[0] > 0 || MaxQueue[1] > 0 || MaxQueue[2] > 0;
}
