using Gantry.Core.Jobs;

namespace Gantry.Core.Storage;

/// <summary>
/// The jobs port: a list of domain operations named &lt;Entity&gt;&lt;Verb&gt;, the same names in every driver. Dialect
/// differences stay inside the driver; the conformance suite in tests/Gantry.Storage.Tests runs every behaviour below
/// against every driver, the memory lane included.
/// </summary>
/// <remarks>
/// Operations take lists where callers benefit from batching: one call is one transaction (or one statement), and
/// drivers coalesce concurrent calls where that is safe. After a commit that makes jobs available or finishes a job
/// someone watches (<see cref="JobWatchFinish"/>), the driver announces it to its <see cref="INotifier"/> (so waiting
/// fetchers and waiters on this server wake at once); drivers shared by several servers also tell the others
/// (<see cref="StoreCapabilities.SupportsListener"/>). A driver may announce other finishes too.
/// Times are passed in, never read from the database clock: time comes from <see cref="TimeProvider"/>.
/// </remarks>
public interface IJobStore
{
    /// <summary>Inserts jobs in one transaction, in order. A job whose unique key a live job of its queue
    /// holds is not inserted; its result names the existing job instead.</summary>
    Task<IReadOnlyList<EnqueueResult>> JobInsertMany(IReadOnlyList<NewJob> jobs, CancellationToken ct);

    /// <summary>Leases up to <paramref name="max"/> available jobs of an unpaused queue, highest priority first,
    /// then oldest run_at, then lowest id; each becomes running with attempt + 1 and a lease of its timeout.
    /// Concurrent callers (on any server) never receive the same job.</summary>
    Task<IReadOnlyList<LeasedJob>> JobGetAvailable(string queue, int max, DateTimeOffset now, CancellationToken ct);

    /// <summary>Extends each running lease to now + the job's timeout.</summary>
    Task<IReadOnlyList<HeartbeatResult>> JobExtendLeases(IReadOnlyList<LeaseRef> leases, DateTimeOffset now, CancellationToken ct);

    /// <summary>Marks each leased job succeeded with its result; a stale lease changes nothing (<see cref="LeaseStatus.Lost"/>).
    /// Each result carries the job's queue and the finished attempt's times, read by the same statement.</summary>
    Task<IReadOnlyList<CompletionResult>> JobSetCompleted(IReadOnlyList<Completion> completions, DateTimeOffset now, CancellationToken ct);

    /// <summary>Applies failures (including lost leases and releases) by <paramref name="rules"/>, under each row's lock.
    /// Each applied result carries the failed attempt's times as they were before the failure.</summary>
    Task<IReadOnlyList<FailureResult>> JobSetFailed(IReadOnlyList<Failure> failures, FailureRules rules, DateTimeOffset now, CancellationToken ct);

    /// <summary>Running jobs whose lease ended at or before <paramref name="now"/>.</summary>
    Task<IReadOnlyList<LeaseRef>> JobGetExpiredLeases(DateTimeOffset now, int limit, CancellationToken ct);

    /// <summary>Makes up to <paramref name="limit"/> scheduled and failed jobs whose run_at has come available; returns how many.</summary>
    Task<int> JobPromoteDue(DateTimeOffset now, int limit, CancellationToken ct);

    /// <summary>The earliest run_at among scheduled and failed jobs, or null when there are none.</summary>
    Task<DateTimeOffset?> JobGetNextDueAt(CancellationToken ct);

    /// <summary>Cancels a waiting job, or flags a running one so its worker stops at its next heartbeat.</summary>
    Task<CancelOutcome> JobCancel(long id, DateTimeOffset now, CancellationToken ct);

    Task<Job?> JobGet(long id, CancellationToken ct);

    /// <summary>Like <see cref="JobGet"/>, and asks that the job's end be announced to every server sharing the store.</summary>
    Task<Job?> JobWatchFinish(long id, CancellationToken ct);

    Task<JobPage> JobList(JobQuery query, CancellationToken ct);

    /// <summary>Deletes up to <paramref name="limit"/> jobs in <paramref name="state"/> that finished before the cutoff; returns how many.</summary>
    Task<int> JobDeleteFinished(JobState state, DateTimeOffset finishedBefore, int limit, CancellationToken ct);
}
