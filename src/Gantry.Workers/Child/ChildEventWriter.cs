using System.Text;
using Gantry.Client.Workers;

namespace Gantry.Workers.Child;

/// <summary>
/// Writes the child's events to the parent, one JSON line each, on the stdout the child had at start (the child points
/// <see cref="Console.Out"/> at stderr, so a handler's stray writes end up in the log instead of corrupting events).
/// As the worker host's observer it reports every job, and asks the child to stop once its job budget is spent.
/// </summary>
internal sealed class ChildEventWriter(Stream output, Action<string> stop) : IJobObserver
{
    private readonly object _lock = new();
    private int _jobsDone;

    public int JobsDone => Volatile.Read(ref _jobsDone);

    public void Write(ChildEvent e)
    {
        var bytes = Encoding.UTF8.GetBytes(e.ToJson() + "\n");
        lock (_lock)
        {
            try
            {
                output.Write(bytes);
                output.Flush();
            }
            catch (IOException)
            {
                // The parent is gone; the closed stdin stops this child anyway.
            }
        }
    }

    public void JobStarted(JobContext job) => Write(new ChildEvent
    {
        Event = ChildEvent.Started, Id = job.Id, Queue = job.Queue, Attempt = job.Attempt, DelayMs = DelayMs(job),
    });

    public void JobFinished(JobContext job, JobRunOutcome outcome, TimeSpan duration, string? error)
    {
        Interlocked.Increment(ref _jobsDone);
        Write(new ChildEvent
        {
            Event = ChildEvent.Finished,
            Id = job.Id,
            Queue = job.Queue,
            Attempt = job.Attempt,
            Outcome = OutcomeName(outcome),
            DelayMs = DelayMs(job),
            ProcessMs = Math.Round(duration.TotalMilliseconds, 1),
            Error = error,
            JobsDone = JobsDone,
        });
    }

    public void BudgetSpent()
    {
        Write(new ChildEvent { Event = ChildEvent.Recycle, Reason = "max_jobs", JobsDone = JobsDone });
        stop("max_jobs");
    }

    /// <summary>Start − max(created, run_at), as the server counts a job's delay.</summary>
    private static double DelayMs(JobContext job)
    {
        var due = job.Job.CreatedAt > job.Job.RunAt ? job.Job.CreatedAt : job.Job.RunAt;
        return Math.Round(Math.Max(0, (job.Job.StartedAt - due).TotalMilliseconds), 1);
    }

    public static string OutcomeName(JobRunOutcome outcome) => outcome switch
    {
        JobRunOutcome.Succeeded => "succeeded",
        JobRunOutcome.Failed => "failed",
        JobRunOutcome.Discarded => "discarded",
        JobRunOutcome.Cancelled => "cancelled",
        JobRunOutcome.LeaseLost => "lease_lost",
        _ => "released",
    };
}
