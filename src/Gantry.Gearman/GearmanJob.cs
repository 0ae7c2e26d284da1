using Gantry.Core.Jobs;

namespace Gantry.Gearman;

/// <summary>
/// What the Gearman front knows about a job beyond what the engine keeps: its handle, the clients attached to it, the
/// worker holding it, its progress, and the Gearman-only fields (the unique id as the client sent it, a reducer). The
/// job itself (state, payload, attempts, retries) lives in its lane: the memory lane or the store. A record exists
/// while a client waits for the job, while a Gearman worker holds it, or (durable jobs) while it waits in memory for
/// a grab after being leased ahead. Guarded by the job server's lock.
/// </summary>
internal sealed class GearmanJob
{
    public required long Id { get; init; }
    public required byte[] Handle { get; init; }
    public required GearmanFunction Function { get; init; }
    /// <summary>In the store rather than in the memory lane.</summary>
    public required bool Durable { get; init; }
    /// <summary>The unique id as the client sent it (empty: none); what JOB_ASSIGN_UNIQ tells the worker.</summary>
    public byte[] Unique { get; set; } = [];
    public byte[]? Reducer { get; set; }

    /// <summary>Foreground clients waiting for this job's packets (a coalesced job can have several).</summary>
    public List<GearmanSession>? Clients { get; set; }
    public GearmanSession? Worker { get; set; }
    /// <summary>The lease the worker holds, quoted when it reports.</summary>
    public LeaseRef Lease { get; set; }
    /// <summary>Bumped on every assignment, so a timer meant for an earlier assignment is ignored.</summary>
    public int Assignment { get; set; }
    public JobStage Stage { get; set; }

    /// <summary>A durable job leased ahead of its grab: what JOB_ASSIGN needs, kept until a worker takes it.</summary>
    public LeasedJob? Prefetched { get; set; }

    /// <summary>The last WORK_STATUS numerator and denominator, as the worker sent them (decimal text).</summary>
    public byte[] Numerator { get; set; } = Zero;
    public byte[] Denominator { get; set; } = Zero;
    /// <summary>A worker sent WORK_EXCEPTION; if it sends no WORK_FAIL or WORK_COMPLETE, the job fails when the worker moves on.</summary>
    public bool ExceptionSent { get; set; }
    /// <summary>Times the job went back to its queue because its worker vanished (gearadmin's "retries" column).</summary>
    public int Requeues { get; set; }
    /// <summary>The last WORK_EXCEPTION text, kept as the error of the failed attempt.</summary>
    public string? LastError { get; set; }
    public ITimer? Timer { get; set; }

    public bool IsQueued => Stage == JobStage.Queued;

    public static readonly byte[] Zero = "0"u8.ToArray();
}

internal enum JobStage : byte
{
    /// <summary>Waiting in its lane (or, durable, leased ahead and waiting in the function's line) for a worker.</summary>
    Queued,
    /// <summary>A Gearman worker holds it.</summary>
    Running,
    /// <summary>Finished or dropped; any entry still pointing at it is stale.</summary>
    Gone,
}
