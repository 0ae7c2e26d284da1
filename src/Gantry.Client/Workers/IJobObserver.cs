namespace Gantry.Client.Workers;

/// <summary>
/// Hears about every job the worker host runs (<see cref="GantryWorkerOptions.Observer"/>): for per-job logs,
/// metrics, or a supervisor that recycles the process after <see cref="GantryWorkerOptions.MaxJobs"/> jobs.
/// Called on the job's own slot, so keep it quick; an exception it throws is logged and otherwise ignored.
/// </summary>
public interface IJobObserver
{
    /// <summary>The handler is about to run <paramref name="job"/>.</summary>
    void JobStarted(JobContext job);

    /// <summary>The handler is done with <paramref name="job"/> (its report is queued, not necessarily sent yet).</summary>
    /// <param name="job">The job.</param>
    /// <param name="outcome">What the host reports (or did not report) to the server.</param>
    /// <param name="duration">How long the handler ran.</param>
    /// <param name="error">The failure's message, for failed and discarded jobs.</param>
    void JobFinished(JobContext job, JobRunOutcome outcome, TimeSpan duration, string? error);

    /// <summary>All <see cref="GantryWorkerOptions.MaxJobs"/> jobs have finished and no more will be leased: stop the
    /// host now (its stop sends the last reports) and let a fresh process take over.</summary>
    void BudgetSpent();
}

/// <summary>How one run of a job ended, as the worker host saw it.</summary>
public enum JobRunOutcome
{
    /// <summary>The handler returned; the result is reported.</summary>
    Succeeded,
    /// <summary>The handler threw; the job is retried with backoff while it has attempts left.</summary>
    Failed,
    /// <summary>The handler threw <see cref="DiscardJobException"/>: the job is dead.</summary>
    Discarded,
    /// <summary>Someone cancelled the job while it ran.</summary>
    Cancelled,
    /// <summary>The lease was lost (expired or taken back); the job may run elsewhere.</summary>
    LeaseLost,
    /// <summary>Shutdown outlasted the grace period: the job went back to the queue.</summary>
    Released,
}
