using Gantry.Core.Stats;

namespace Gantry.Gearman;

internal sealed partial class GearmanJobServer
{
    /// <summary>
    /// Writes a memory-lane attempt to the job log, as the engine does for durable jobs (whose records come from the
    /// store's commit, not from here). The job id is the number in its handle, <c>H:host:N</c>; the queue is the
    /// function. Called under the lock while the job still runs; the record is one struct on the stack.
    /// </summary>
    private void LogAttempt(GearmanJob job, JobOutcome outcome)
    {
        if (_jobLog is null || job.Durable is not null || job.Stage != JobStage.Running) return;
        var record = new JobRecord(job.Function.Name, job.Seq, job.Failures + job.Requeues + 1, outcome,
            job.CreatedAt, job.RunAt ?? job.CreatedAt, job.StartedAt, _time.GetUtcNow());
        _jobLog.Write(new ReadOnlySpan<JobRecord>(in record));
    }
}
