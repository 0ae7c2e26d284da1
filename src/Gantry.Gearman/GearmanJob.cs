using Gantry.Core.Jobs;

namespace Gantry.Gearman;

/// <summary>
/// A job as the Gearman front holds it: a memory-lane job from submission to its end, or a durable job while a
/// Gearman worker runs it (<see cref="Durable"/> names its lease in the store). Guarded by the job server's lock.
/// </summary>
internal sealed class GearmanJob
{
    public required long Seq { get; init; }
    public required byte[] Handle { get; init; }
    public required GearmanFunction Function { get; init; }
    /// <summary>The unique id as the client sent it (empty: none).</summary>
    public required byte[] Unique { get; init; }
    /// <summary>The key this job holds in its function's unique table, or null when it does not coalesce.</summary>
    public string? UniqueKey { get; init; }
    public required ReadOnlyMemory<byte> Payload { get; init; }
    public byte[]? Reducer { get; init; }
    public required GearmanPriority Priority { get; init; }
    public required bool Background { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Foreground clients waiting for this job's packets (a coalesced job can have several).</summary>
    public List<GearmanSession>? Clients { get; set; }
    public GearmanSession? Worker { get; set; }
    /// <summary>Bumped on every assignment, so a timer or completion meant for an earlier assignment is ignored.</summary>
    public int Assignment { get; set; }
    public JobStage Stage { get; set; }
    public bool IsQueued => Stage == JobStage.Queued;

    /// <summary>The last WORK_STATUS numerator and denominator, as the worker sent them (decimal text).</summary>
    public byte[] Numerator { get; set; } = Zero;
    public byte[] Denominator { get; set; } = Zero;
    /// <summary>A worker sent WORK_EXCEPTION; if it sends no WORK_FAIL or WORK_COMPLETE, the job fails when the worker moves on.</summary>
    public bool ExceptionSent { get; set; }
    /// <summary>Times the job went back to the queue because its worker vanished (gearadmin's "retries" column).</summary>
    public int Requeues { get; set; }
    /// <summary>Failed runs so far, for the function's retry budget.</summary>
    public int Failures { get; set; }
    public DateTimeOffset? RunAt { get; set; }
    /// <summary>When the current (or last) assignment to a worker began: the job log's start of the attempt.</summary>
    public DateTimeOffset StartedAt { get; set; }
    /// <summary>The last WORK_EXCEPTION text, kept as the error of a durable job that then fails.</summary>
    public string? LastError { get; set; }
    public ITimer? Timer { get; set; }

    /// <summary>Set for a durable job leased from the store.</summary>
    public LeaseRef? Durable { get; init; }

    public static readonly byte[] Zero = "0"u8.ToArray();
}

internal enum JobStage : byte
{
    /// <summary>Waiting for its run_at (SUBMIT_JOB_EPOCH, SUBMIT_JOB_SCHED, or a retry's backoff).</summary>
    Scheduled,
    Queued,
    Running,
    /// <summary>Finished, cancelled or dropped; any entry still pointing at it is stale.</summary>
    Gone,
}
