using System.Collections.Concurrent;
using Gantry.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gantry.Client.Workers;

/// <summary>
/// Works one queue: fetches as many jobs as it has free slots (long-polling when idle), runs each handler in its
/// own DI scope, and hands outcomes to the reporter. On shutdown it stops fetching, lets in-flight jobs finish
/// within the grace period, then cancels the rest and releases them to the queue.
/// </summary>
internal sealed class QueueWorker
{
    private readonly QueueRegistration _registration;
    private readonly GantryClient _client;
    private readonly IServiceScopeFactory _scopes;
    private readonly GantryWorkerOptions _options;
    private readonly LeaseReporter _reporter;
    private readonly LeaseHeartbeats _heartbeats;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<long, InFlightJob> _inFlight = new();
    private readonly CancellationTokenSource _hardStop = new();
    private Task _fetchLoop = Task.CompletedTask;

    public QueueWorker(QueueRegistration registration, GantryClient client, IServiceScopeFactory scopes, GantryWorkerOptions options,
        LeaseReporter reporter, LeaseHeartbeats heartbeats, TimeProvider time, ILogger log)
    {
        (_registration, _client, _scopes, _options, _reporter, _heartbeats, _time, _log) =
            (registration, client, scopes, options, reporter, heartbeats, time, log);
        _slots = new SemaphoreSlim(registration.Concurrency, registration.Concurrency);
    }

    public void Start(CancellationToken stopFetching) => _fetchLoop = Task.Run(() => FetchLoopAsync(stopFetching));

    private async Task FetchLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _slots.WaitAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var free = 1;
            while (_slots.Wait(0)) free++;

            IReadOnlyList<LeasedJobView> jobs;
            try
            {
                jobs = await _client.FetchAsync(_registration.Queue, free, _options.FetchWait, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                _slots.Release(free);
                return;
            }
            catch (Exception ex)
            {
                _slots.Release(free);
                _log.LogWarning(ex, "Fetching from queue {Queue} failed; retrying in {Delay}", _registration.Queue, _options.RetryDelay);
                try { await Task.Delay(_options.RetryDelay, _time, stop).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
                continue;
            }

            if (jobs.Count < free) _slots.Release(free - jobs.Count);
            foreach (var job in jobs)
            {
                var inFlight = new InFlightJob(job, _hardStop.Token, _time.GetUtcNow());
                _inFlight[job.Id] = inFlight;
                _heartbeats.Track(inFlight);
                // Task.Run: a handler that blocks before its first await must not stall the fetch loop.
                _ = Task.Run(() => RunAsync(inFlight));
            }
        }
    }

    private async Task RunAsync(InFlightJob inFlight)
    {
        var job = inFlight.Job;
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var handler = (IJobHandler)scope.ServiceProvider.GetRequiredService(_registration.HandlerType);
            var result = await handler.HandleAsync(new JobContext(job, _options.PayloadOptions), inFlight.Cancellation.Token).ConfigureAwait(false);
            if (inFlight.Stop is StopReason.None or StopReason.CancelRequested) _reporter.Complete(job, result.Bytes);
        }
        catch (OperationCanceledException) when (inFlight.Stop != StopReason.None)
        {
            if (inFlight.Stop == StopReason.CancelRequested) _reporter.Fail(job, "cancelled on request", null, retry: false);
        }
        catch (DiscardJobException ex)
        {
            _reporter.Fail(job, ex.Message, ex.InnerException?.ToString(), retry: false);
        }
        catch (Exception ex)
        {
            _log.LogWarning(ex, "Job {JobId} of queue {Queue} failed (attempt {Attempt} of {MaxAttempts})", job.Id, job.Queue, job.Attempt, job.MaxAttempts);
            _reporter.Fail(job, ex.Message, ex.ToString(), retry: true);
        }
        finally
        {
            _heartbeats.Untrack(inFlight);
            _inFlight.TryRemove(job.Id, out _);
            inFlight.Cancellation.Dispose();
            _slots.Release();
        }
    }

    /// <summary>After fetching stopped: waits for in-flight jobs until <paramref name="graceEnds"/>, then cancels and releases the rest.</summary>
    public async Task DrainAsync(Task graceEnds)
    {
        await _fetchLoop.ConfigureAwait(false);
        var allDone = WhenIdleAsync();
        if (await Task.WhenAny(allDone, graceEnds).ConfigureAwait(false) == allDone) return;

        var remaining = _inFlight.Values.ToList();
        if (remaining.Count == 0) return;
        _log.LogWarning("Shutdown grace period over: releasing {Count} unfinished jobs of queue {Queue} back to the queue",
            remaining.Count, _registration.Queue);
        foreach (var job in remaining) job.Cancel(StopReason.Released);
        try
        {
            await _client.ReleaseAsync(remaining.Select(j => j.Lease)).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "Releasing {Count} jobs failed; they return to the queue when their leases expire", remaining.Count);
        }
    }

    private async Task WhenIdleAsync()
    {
        // Every slot back means no handler is running.
        for (var i = 0; i < _registration.Concurrency; i++) await _slots.WaitAsync().ConfigureAwait(false);
        _slots.Release(_registration.Concurrency);
    }
}
