using System.Collections.Concurrent;
using System.Threading.Channels;
using Gantry.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gantry.Client.Workers;

/// <summary>
/// Works one queue. The fetch loop leases jobs into a local buffer (up to concurrency + prefetch held at once,
/// long-polling when idle); the dispatch loop starts a buffered job whenever a handler slot is free, each in its own
/// DI scope, and hands outcomes to the reporter. On shutdown it stops fetching, gives buffered jobs back at once,
/// lets running jobs finish within the grace period, then cancels and releases the rest.
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
    /// <summary>One unit per job held (buffered or running): bounds concurrency + prefetch.</summary>
    private readonly SemaphoreSlim _capacity;
    /// <summary>One unit per running handler: bounds concurrency.</summary>
    private readonly SemaphoreSlim _slots;
    private readonly Channel<InFlightJob> _buffer = Channel.CreateUnbounded<InFlightJob>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, InFlightJob> _running = new();
    private readonly CancellationTokenSource _hardStop = new();
    private readonly int _refillAt;
    private int _buffered;
    private Task _fetchLoop = Task.CompletedTask;
    private Task _dispatchLoop = Task.CompletedTask;

    public QueueWorker(QueueRegistration registration, GantryClient client, IServiceScopeFactory scopes, GantryWorkerOptions options,
        LeaseReporter reporter, LeaseHeartbeats heartbeats, TimeProvider time, ILogger log)
    {
        (_registration, _client, _scopes, _options, _reporter, _heartbeats, _time, _log) =
            (registration, client, scopes, options, reporter, heartbeats, time, log);
        var held = registration.Concurrency + registration.Prefetch;
        _capacity = new SemaphoreSlim(held, held);
        _slots = new SemaphoreSlim(registration.Concurrency, registration.Concurrency);
        // With a buffer, refill once half of it is free (bigger fetches); without one, whenever a slot is free.
        _refillAt = Math.Max(1, (registration.Prefetch + 1) / 2);
    }

    public void Start(CancellationToken stopFetching)
    {
        _fetchLoop = Task.Run(() => FetchLoopAsync(stopFetching));
        _dispatchLoop = Task.Run(DispatchLoopAsync);
    }

    private async Task FetchLoopAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var free = await TakeCapacityAsync(stop).ConfigureAwait(false);
                IReadOnlyList<LeasedJobView> jobs;
                try
                {
                    jobs = await _client.FetchAsync(_registration.Queue, free, _options.FetchWait, stop).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
                {
                    _capacity.Release(free);
                    _log.LogWarning(ex, "Fetching from queue {Queue} failed; retrying in {Delay}", _registration.Queue, _options.RetryDelay);
                    await Task.Delay(_options.RetryDelay, _time, stop).ConfigureAwait(false);
                    continue;
                }
                catch (OperationCanceledException)
                {
                    _capacity.Release(free);
                    return;
                }

                if (jobs.Count < free) _capacity.Release(free - jobs.Count);
                var now = _time.GetUtcNow();
                foreach (var job in jobs)
                {
                    var held = new InFlightJob(job, _hardStop.Token, now);
                    _heartbeats.Track(held);
                    Interlocked.Increment(ref _buffered);
                    _buffer.Writer.TryWrite(held);
                }
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
            _buffer.Writer.TryComplete();
        }
    }

    /// <summary>Waits for room to hold at least one more job and takes what is free, waiting for a bigger share while
    /// the buffer still has work for the handlers (so fetches are large without starving anyone).</summary>
    private async Task<int> TakeCapacityAsync(CancellationToken stop)
    {
        await _capacity.WaitAsync(stop).ConfigureAwait(false);
        var free = 1;
        while (true)
        {
            while (_capacity.Wait(0)) free++;
            if (free >= _refillAt || Volatile.Read(ref _buffered) == 0) return free;
            try
            {
                await _capacity.WaitAsync(stop).ConfigureAwait(false);
                free++;
            }
            catch (OperationCanceledException)
            {
                _capacity.Release(free);
                throw;
            }
        }
    }

    private async Task DispatchLoopAsync()
    {
        await foreach (var job in _buffer.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            await _slots.WaitAsync().ConfigureAwait(false);
            Interlocked.Decrement(ref _buffered);
            if (job.Stop == StopReason.Released)
            {
                _slots.Release();
                continue;
            }
            _running[job.Job.Id] = job;
            // Task.Run: a handler that blocks before its first await must not stall dispatching.
            _ = Task.Run(() => RunAsync(job));
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
            _running.TryRemove(job.Id, out _);
            inFlight.Cancellation.Dispose();
            _slots.Release();
            _capacity.Release();
        }
    }

    /// <summary>After fetching stopped: gives buffered jobs back, waits for running ones until <paramref name="graceEnds"/>,
    /// then cancels and releases the rest.</summary>
    public async Task DrainAsync(Task graceEnds)
    {
        await _fetchLoop.ConfigureAwait(false);
        var unstarted = new List<InFlightJob>();
        while (_buffer.Reader.TryRead(out var job))
        {
            Interlocked.Decrement(ref _buffered);
            job.Stop = StopReason.Released;
            _heartbeats.Untrack(job);
            unstarted.Add(job);
        }
        await ReleaseAsync(unstarted, "buffered").ConfigureAwait(false);
        await _dispatchLoop.ConfigureAwait(false);

        var allDone = WhenIdleAsync();
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

    private async Task WhenIdleAsync()
    {
        // Every slot back means no handler is running.
        for (var i = 0; i < _registration.Concurrency; i++) await _slots.WaitAsync().ConfigureAwait(false);
        _slots.Release(_registration.Concurrency);
    }
}
