using Gantry.Core.Jobs;
using Gantry.Core.Queues;
using Gantry.Core.Recurring;

namespace Gantry.Core.Storage;

/// <summary>
/// The port every storage back end implements: a list of domain operations named &lt;Entity&gt;&lt;Verb&gt;.
/// Dialect differences stay inside the driver; the conformance suite in tests/Gantry.Storage.Tests runs
/// every behaviour below against every driver.
/// </summary>
/// <remarks>
/// Operations take lists where callers benefit from batching: one call is one transaction (or one
/// statement), and drivers coalesce concurrent calls where that is safe. After a commit that makes jobs
/// available or finishes jobs, the driver tells <see cref="Engine.JobSignals"/> (its constructor's), so waiting
/// fetchers and waiters on this server wake at once; drivers shared by several servers also tell the
/// others (<see cref="StoreCapabilities.SupportsListener"/>).
/// Times are passed in, never read from the database clock: time comes from <see cref="TimeProvider"/>.
/// </remarks>
public interface IJobStore : IAsyncDisposable
{
    StoreCapabilities Capabilities { get; }

    /// <summary>Applies pending schema migrations; safe when several servers call it at once.</summary>
    Task MigrateAsync(CancellationToken ct);

    /// <summary>Inserts jobs in one transaction, in order. A job whose unique key a live job of its queue
    /// holds is not inserted; its result names the existing job instead.</summary>
    Task<IReadOnlyList<EnqueueResult>> JobInsertMany(IReadOnlyList<NewJob> jobs, CancellationToken ct);

    /// <summary>Leases up to <paramref name="max"/> available jobs of an unpaused queue, highest priority first,
    /// then oldest run_at, then lowest id; each becomes running with attempt + 1 and a lease of its timeout.
    /// Concurrent callers (on any server) never receive the same job.</summary>
    Task<IReadOnlyList<LeasedJob>> JobGetAvailable(string queue, int max, string? workerId, DateTimeOffset now, CancellationToken ct);

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

    Task<IReadOnlyList<QueueSummary>> QueueList(CancellationToken ct);

    /// <summary>Pauses or resumes a queue, creating it if needed.</summary>
    Task QueueSetPaused(string queue, bool paused, DateTimeOffset now, CancellationToken ct);

    /// <summary>Inserts the schedule, or replaces an existing one's definition, source, pause state, next fire time and
    /// updated time; an existing one keeps its created time, last fire and last job.</summary>
    Task RecurringSave(RecurringSchedule schedule, CancellationToken ct);

    Task<RecurringSchedule?> RecurringGet(string name, CancellationToken ct);

    /// <summary>Every schedule, by name.</summary>
    Task<IReadOnlyList<RecurringSchedule>> RecurringList(CancellationToken ct);

    /// <summary>Deletes the schedule and its fire records; false when there was none.</summary>
    Task<bool> RecurringDelete(string name, CancellationToken ct);

    /// <summary>Up to <paramref name="limit"/> unpaused schedules whose next fire time is at or before <paramref name="now"/>, earliest first.</summary>
    Task<IReadOnlyList<RecurringSchedule>> RecurringGetDue(DateTimeOffset now, int limit, CancellationToken ct);

    /// <summary>The earliest next fire time among unpaused schedules, or null when there is none.</summary>
    Task<DateTimeOffset?> RecurringGetNextFireAt(CancellationToken ct);

    /// <summary>Fires in one transaction (see <see cref="RecurringFire"/>): for a tick, only if the schedule still expects
    /// it and no fire of that tick is recorded, which a unique constraint on (schedule, tick) enforces across servers;
    /// then records the tick, inserts the job unless skipping, and moves the next fire time. For a trigger (no tick),
    /// inserts the job. Either way the inserted job becomes the schedule's last job. A tick found already recorded is
    /// <see cref="RecurringFireOutcome.Stale"/>, and the schedule still moves on to <see cref="RecurringFire.NextFireAt"/>
    /// so that tick is never due again.</summary>
    Task<RecurringFireResult> RecurringFire(RecurringFire fire, CancellationToken ct);

    /// <summary>The schedule's latest fire records, newest tick first.</summary>
    Task<IReadOnlyList<RecurringFireRecord>> RecurringListFires(string name, int limit, CancellationToken ct);

    /// <summary>Deletes up to <paramref name="limit"/> fire records of ticks before the cutoff; returns how many.</summary>
    Task<int> RecurringDeleteFiresBefore(DateTimeOffset cutoff, int limit, CancellationToken ct);
}

/// <summary>What a driver can do, probed rather than assumed.</summary>
/// <param name="Name">For logs and the health endpoint (<c>sqlite</c>, <c>postgresql</c>).</param>
/// <param name="SupportsListener">Other servers' changes arrive as notifications; without it only this
/// server changes the store.</param>
public sealed record StoreCapabilities(string Name, bool SupportsListener);
