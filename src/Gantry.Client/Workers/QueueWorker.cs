using System.Collections.Concurrent;
using System.Threading.Channels;
using Gantry.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gantry.Client.Workers;

/// <summary>
/// Works one queue. The fetch loop leases jobs into a local buffer, holding at most concurrency + prefetch jobs
/// (long-polling when idle); one slot loop per unit of concurrency takes jobs from the buffer and runs them, each
/// handler in its own DI scope, and hands outcomes to the reporter. No per-job task or semaphore hand-off: a busy
/// worker moves from one job to the next without waking another thread.
/// On shutdown it stops fetching, gives buffered jobs back at once, lets running jobs finish within the grace
/// period, then cancels and releases the rest.
/// With a job budget (<see cref="GantryWorkerOptions.MaxJobs"/>) every fetch first reserves budget, so the worker never
/// leases more than the host has left; once the budget is all leased the fetch loop ends and the slots run out the buffer.
/// </summary>
internal sealed class QueueWorker
{
    private readonly QueueRegistration _registration;
    private readonly GantryClient _client;
    private readonly IServiceScopeFactory _scopes;
    private readonly GantryWorkerOptions _options;
    private readonly LeaseReporter _reporter;
    private readonly LeaseHeartbeats _heartbeats;
    private readonly JobBudget _budget;
    private readonly CallFailures _failures;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Channel<InFlightJob> _buffer = Channel.CreateUnbounded<InFlightJob>();
    private readonly ConcurrentDictionary<long, InFlightJob> _running = new();
    private readonly AsyncSignal _room = new();
    /// <summary>Two fetches in flight keep the buffer filling while the handlers empty it.</summary>
    private const int MaxFetchesInFlight = 2;
    private readonly int _capacity;
    private readonly int _refillAt;
    private int _held;
    private int _buffered;
    private volatile bool _draining;
    private Task _fetchLoop = Task.CompletedTask;
    private Task[] _slotLoops = [];

    public QueueWorker(QueueRegistration registration, GantryClient client, IServiceScopeFactory scopes, GantryWorkerOptions options,
        LeaseReporter reporter, LeaseHeartbeats heartbeats, JobBudget budget, CallFailures failures, TimeProvider time, ILogger log)
    {
        (_registration, _client, _scopes, _options, _reporter, _heartbeats, _budget, _failures, _time, _log) =
            (registration, client, scopes, options, reporter, heartbeats, budget, failures, time, log);
        _capacity = registration.Concurrency + registration.Prefetch;
        // With a buffer, fetch in halves of everything held (big fetches, two in flight); without one, whenever a slot is free.
        _refillAt = registration.Prefetch == 0 ? 1 : Math.Max(1, _capacity / 2);
    }

    /// <param name="stopFetching">Fires at shutdown: no new fetch starts.</param>
    /// <param name="abortFetches">Cancels fetches already on the wire: the same token, or a later one when open long polls
    /// may finish (see <see cref="GantryWorkerOptions.FinishFetchesOnStop"/>).</param>
    public void Start(CancellationToken stopFetching, CancellationToken abortFetches)
    {
        _fetchLoop = Task.Run(() => FetchLoopAsync(stopFetching, abortFetches));
        _slotLoops = Enumerable.Range(0, _registration.Concurrency).Select(_ => Task.Run(SlotLoopAsync)).ToArray();
    }

    private async Task FetchLoopAsync(CancellationToken stop, CancellationToken abort)
    {
        var fetches = new List<Task>(MaxFetchesInFlight);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                fetches.RemoveAll(f => f.IsCompleted);
                var free = _capacity - Volatile.Read(ref _held);
                var busy = fetches.Count > 0 || Volatile.Read(ref _buffered) > 0;
                if (free <= 0 || fetches.Count >= MaxFetchesInFlight || free < _refillAt && busy)
                {
                    await _room.WaitAsync(stop).ConfigureAwait(false);
                    continue;
                }
                var budgetChanged = _budget.Changed;
                var granted = _budget.TryTake(free);
                if (granted == 0)
                {
                    if (_budget.Exhausted) break;
                    // Another queue's fetch holds the rest of the budget; what it does not lease comes back.
                    await budgetChanged.WaitAsync(stop).ConfigureAwait(false);
                    continue;
                }
                Interlocked.Add(ref _held, granted);
                fetches.Add(FetchIntoBufferAsync(granted, abort));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _log.LogCritical(ex, "The fetch loop of queue {Queue} stopped on an unexpected error", _registration.Queue);
        }
        finally
        {
            await Task.WhenAll(fetches).ConfigureAwait(false);
            _buffer.Writer.TryComplete();
        }
    }

    /// <summary>One fetch for <paramref name="reserved"/> jobs (already counted as held): up to two run at once, so the
    /// next batch is on its way while the handlers work through the last one.</summary>
    private async Task FetchIntoBufferAsync(int reserved, CancellationToken abort)
    {
        var leased = 0;
        try
        {
            var jobs = await _client.FetchAsync(_registration.Queue, reserved, _options.FetchWait, abort).ConfigureAwait(false);
            _failures.Succeeded();
            leased = jobs.Count;
            Interlocked.Add(ref _held, jobs.Count - reserved);
            var now = _time.GetUtcNow();
            foreach (var job in jobs)
            {
                var held = new InFlightJob(job, now);
                _heartbeats.Track(held);
                Interlocked.Increment(ref _buffered);
                _buffer.Writer.TryWrite(held);
            }
        }
        catch (Exception ex)
        {
            Interlocked.Add(ref _held, -reserved);
            if (ex is OperationCanceledException && abort.IsCancellationRequested) return;
            try { await Task.Delay(_failures.Failed(ex), _time, abort).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
        finally
        {
            _budget.Settle(reserved, leased);
            _room.Set();
        }
    }

    private async Task SlotLoopAsync()
    {
        var reader = _buffer.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (!_draining && reader.TryRead(out var job))
            {
                Interlocked.Decrement(ref _buffered);
                await RunAsync(job).ConfigureAwait(false);
                if (_budget.FinishOne()) Observe(0, static (o, _) => o.BudgetSpent());
                var free = _capacity - Interlocked.Decrement(ref _held);
                if (free >= _refillAt || Volatile.Read(ref _buffered) == 0) _room.Set();
            }
            if (_draining) return;
        }
    }

    private async Task RunAsync(InFlightJob inFlight)
    {
        var job = inFlight.Job;
        _running[job.Id] = inFlight;
        JobContext? context = null;
        var started = _time.GetTimestamp();
        var outcome = JobRunOutcome.Succeeded;
        string? error = null;
        try
        {
            context = new JobContext(job, _options.PayloadOptions);
            Observe(context, static (o, c) => o.JobStarted(c));
            await using var scope = _scopes.CreateAsyncScope();
            var handler = (IJobHandler)scope.ServiceProvider.GetRequiredService(_registration.HandlerType);
            var result = await handler.HandleAsync(context, inFlight.Cancellation.Token).ConfigureAwait(false);
            if (inFlight.Stop is StopReason.None or StopReason.CancelRequested) _reporter.Complete(job, result.Bytes);
            else outcome = Unreported(inFlight.Stop);
        }
        catch (OperationCanceledException) when (inFlight.Stop != StopReason.None)
        {
            if (inFlight.Stop == StopReason.CancelRequested) _reporter.Fail(job, "cancelled on request", null, retry: false);
            outcome = Unreported(inFlight.Stop);
        }
        catch (DiscardJobException ex)
        {
            _log.LogInformation("Job {JobId} of queue {Queue} was discarded by its handler: {Reason} (it is not retried)", job.Id, job.Queue, ex.Message);
            _reporter.Fail(job, ex.Message, ex.InnerException?.ToString(), retry: false);
            (outcome, error) = (JobRunOutcome.Discarded, ex.Message);
        }
        catch (Exception ex)
        {
            _log.LogWarning(ex, "Job {JobId} of queue {Queue} failed (attempt {Attempt} of {MaxAttempts})", job.Id, job.Queue, job.Attempt, job.MaxAttempts);
            _reporter.Fail(job, ex.Message, ex.ToString(), retry: true);
            (outcome, error) = (JobRunOutcome.Failed, ex.Message);
        }
        finally
        {
            _heartbeats.Untrack(inFlight);
            _running.TryRemove(job.Id, out _);
            inFlight.Cancellation.Dispose();
        }
        if (context is not null)
            Observe((context, outcome, _time.GetElapsedTime(started), error), static (o, f) => o.JobFinished(f.context, f.outcome, f.Item3, f.error));
    }

    private static JobRunOutcome Unreported(StopReason stop) => stop switch
    {
        StopReason.CancelRequested => JobRunOutcome.Cancelled,
        StopReason.LeaseLost => JobRunOutcome.LeaseLost,
        _ => JobRunOutcome.Released,
    };

    /// <summary>An observer's failure is its own problem: it must not fail the job or stop the slot. The call takes its
    /// arguments as state so that, observer or not, a job costs no closure.</summary>
    private void Observe<TState>(TState state, Action<IJobObserver, TState> call)
    {
        if (_options.Observer is not { } observer) return;
        try
        {
            call(observer, state);
        }
        catch (Exception ex)
        {
            _log.LogWarning(ex, "The job observer of queue {Queue} failed", _registration.Queue);
        }
    }

    /// <summary>After fetching stopped: gives buffered jobs back, waits for running ones until <paramref name="graceEnds"/>,
    /// then cancels and releases the rest.</summary>
    public async Task DrainAsync(Task graceEnds)
    {
        await _fetchLoop.ConfigureAwait(false);
        _draining = true;
        var unstarted = new List<InFlightJob>();
        while (_buffer.Reader.TryRead(out var job))
        {
            Interlocked.Decrement(ref _buffered);
            _heartbeats.Untrack(job);
            unstarted.Add(job);
        }
        await ReleaseAsync(unstarted, "buffered").ConfigureAwait(false);

        var allDone = Task.WhenAll(_slotLoops);
        if (await Task.WhenAny(allDone, graceEnds).ConfigureAwait(false) == allDone) return;
        var remaining = _running.Values.ToList();
        foreach (var job in remaining) job.Cancel(StopReason.Released);
        await ReleaseAsync(remaining, "unfinished").ConfigureAwait(false);
    }

    private async Task ReleaseAsync(List<InFlightJob> jobs, string what)
    {
        if (jobs.Count == 0) return;
        _log.LogInformation("Releasing {Count} {What} jobs of queue {Queue} back to the queue", jobs.Count, what, _registration.Queue);
        try
        {
            await _client.ReleaseAsync(jobs.Select(j => j.Lease)).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "Releasing {Count} jobs failed; they return to the queue when their leases expire", jobs.Count);
        }
    }
}
