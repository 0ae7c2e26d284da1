using System.Buffers;
using Gantry.Core.Jobs;
using Microsoft.Extensions.Logging;

namespace Gantry.Core.Stats;

/// <summary>Told about every attempt that ends, in batches as the engine records them. Called on the thread that
/// recorded the batch, after the store committed it: keep it quick and never block.</summary>
public interface IJobLogObserver
{
    void OnJobsLogged(ReadOnlySpan<JobRecord> records);
}

/// <summary>
/// The job log: one record per attempt that ends, whatever the front (HTTP workers, the SDK, Gearman workers)
/// or the cause (completion, failure, release, an expired lease). Each record is written to the
/// <see cref="Category"/> logger at Information level with structured fields, and handed to the in-process
/// observers (the per-queue statistics, the metrics, and whatever an embedding application subscribes).
/// </summary>
public sealed partial class JobLog
{
    /// <summary>The logger category of job records: filter it on its own (<c>Logging:LogLevel:Gantry.JobLog</c>).</summary>
    public const string Category = "Gantry.JobLog";

    private readonly ILogger _log;
    private readonly ILogger _errors;
    private readonly Lock _subscribe = new();
    private volatile IJobLogObserver[] _observers;

    public JobLog(ILoggerFactory loggers, IEnumerable<IJobLogObserver> observers)
    {
        _log = loggers.CreateLogger(Category);
        _errors = loggers.CreateLogger<JobLog>();
        _observers = observers.ToArray();
    }

    /// <summary>Adds an observer until the returned handle is disposed.</summary>
    public IDisposable Subscribe(IJobLogObserver observer)
    {
        lock (_subscribe) _observers = [.. _observers, observer];
        return new Subscription(this, observer);
    }

    /// <summary>Logs the completions the store applied (<paramref name="results"/> line up with <paramref name="completions"/>).</summary>
    public void Completed(IReadOnlyList<Completion> completions, IReadOnlyList<CompletionResult> results, DateTimeOffset now)
    {
        if (!IsActive) return;
        var buffer = ArrayPool<JobRecord>.Shared.Rent(results.Count);
        var n = 0;
        for (var i = 0; i < results.Count; i++)
        {
            var r = results[i];
            if (r.Status != LeaseStatus.Ok || r.Queue is null) continue;
            buffer[n++] = new JobRecord(r.Queue, r.Id, completions[i].Attempt, JobOutcome.Succeeded,
                r.Times.CreatedAt, r.Times.RunAt, r.Times.StartedAt, now);
        }
        Write(buffer.AsSpan(0, n));
        ArrayPool<JobRecord>.Shared.Return(buffer);
    }

    /// <summary>Logs the failures (errors, discards, releases, expired leases) the store applied.</summary>
    public void Failed(IReadOnlyList<Failure> failures, IReadOnlyList<FailureResult> results, DateTimeOffset now)
    {
        if (!IsActive) return;
        var buffer = ArrayPool<JobRecord>.Shared.Rent(results.Count);
        var n = 0;
        for (var i = 0; i < results.Count; i++)
        {
            var r = results[i];
            if (r.Status != LeaseStatus.Ok || r.Queue is null) continue;
            var f = failures[i];
            buffer[n++] = new JobRecord(r.Queue, r.Id, f.Attempt, JobOutcomes.OfFailure(f.Kind, r.State),
                r.Times.CreatedAt, r.Times.RunAt, r.Times.StartedAt, now);
        }
        Write(buffer.AsSpan(0, n));
        ArrayPool<JobRecord>.Shared.Return(buffer);
    }

    /// <summary>Logs one completion (the memory lane's hot path: no list, no array).</summary>
    public void Completed(in Completion completion, in CompletionResult result, DateTimeOffset now)
    {
        if (!IsActive || result.Status != LeaseStatus.Ok || result.Queue is null) return;
        var record = new JobRecord(result.Queue, result.Id, completion.Attempt, JobOutcome.Succeeded,
            result.Times.CreatedAt, result.Times.RunAt, result.Times.StartedAt, now);
        Write(new ReadOnlySpan<JobRecord>(in record));
    }

    /// <summary>Logs one failure (the memory lane's hot path: no list, no array).</summary>
    public void Failed(in Failure failure, in FailureResult result, DateTimeOffset now)
    {
        if (!IsActive || result.Status != LeaseStatus.Ok || result.Queue is null) return;
        var record = new JobRecord(result.Queue, result.Id, failure.Attempt, JobOutcomes.OfFailure(failure.Kind, result.State),
            result.Times.CreatedAt, result.Times.RunAt, result.Times.StartedAt, now);
        Write(new ReadOnlySpan<JobRecord>(in record));
    }

    /// <summary>Logs <paramref name="records"/> and hands them to every observer. An observer that throws is logged
    /// and skipped: the attempts are already committed, and their callers must hear so.</summary>
    public void Write(ReadOnlySpan<JobRecord> records)
    {
        if (records.IsEmpty) return;
        if (_log.IsEnabled(LogLevel.Information))
        {
            foreach (ref readonly var r in records)
            {
                LogRecord(_log, r.JobId, r.Outcome.ToWire(), r.Queue, r.Attempt, r.Delay.TotalMilliseconds, r.ProcessTime.TotalMilliseconds,
                    r.CreatedAt, r.RunAt, r.StartedAt, r.FinishedAt);
            }
        }
        foreach (var observer in _observers)
        {
            try
            {
                observer.OnJobsLogged(records);
            }
            catch (Exception ex)
            {
                _errors.LogError(ex, "Job log observer {Observer} failed on {Count} records", observer.GetType().Name, records.Length);
            }
        }
    }

    private bool IsActive => _observers.Length > 0 || _log.IsEnabled(LogLevel.Information);

    [LoggerMessage(EventId = 1, EventName = "JobRecord", Level = LogLevel.Information,
        Message = "Job {JobId} {Outcome} on {Queue} attempt {Attempt}: delay {DelayMs} ms, process {ProcessMs} ms " +
                  "(created {CreatedAt:o}, run_at {RunAt:o}, started {StartedAt:o}, finished {FinishedAt:o})")]
    private static partial void LogRecord(ILogger logger, long jobId, string outcome, string queue, int attempt, double delayMs,
        double processMs, DateTimeOffset createdAt, DateTimeOffset runAt, DateTimeOffset startedAt, DateTimeOffset finishedAt);

    private sealed class Subscription(JobLog owner, IJobLogObserver observer) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._subscribe) owner._observers = owner._observers.Where(o => !ReferenceEquals(o, observer)).ToArray();
        }
    }
}
