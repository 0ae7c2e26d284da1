using Gantry.Core.Jobs;
using Gantry.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Gantry.Core.Engine;

/// <summary>
/// Serves every fetch of one queue on this server from one loop, so concurrent and long-polling workers
/// share store calls: one lease statement for all of them instead of one each, and one wake-up per
/// notification instead of a thundering herd.
/// </summary>
internal sealed class QueueFetcher
{
    private readonly string _queue;
    private readonly IJobStore _store;
    private readonly JobSignals _signals;
    private readonly TimeProvider _time;
    private readonly FailureRules _rules;
    private readonly TimeSpan _fallbackPoll;
    private readonly int _maxPerCall;
    private readonly ILogger _log;
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly AsyncPulse _newWaiter = new();
    private bool _loopRunning;
    private bool _stopped;
    private bool _retired;

    private readonly CancellationToken _serverStopping;

    public QueueFetcher(string queue, IJobStore store, JobSignals signals, TimeProvider time, FailureRules rules,
        TimeSpan fallbackPoll, int maxPerCall, ILogger log, CancellationToken serverStopping)
    {
        (_queue, _store, _signals, _time, _rules, _fallbackPoll, _maxPerCall, _log, _serverStopping) =
            (queue, store, signals, time, rules, fallbackPoll, maxPerCall, log, serverStopping);
    }

    /// <summary>Fetches waiting now (long polls parked on this server).</summary>
    public int Waiting
    {
        get { lock (_waiters) return _waiters.Count; }
    }

    /// <summary>Null when this fetcher was retired (<see cref="TryRetire"/>): take a new one.</summary>
    public Task<IReadOnlyList<LeasedJob>>? FetchAsync(int max, TimeSpan wait, CancellationToken ct)
    {
        var waiter = new Waiter(max, _time.GetUtcNow() + wait);
        bool startLoop;
        lock (_waiters)
        {
            if (_retired) return null;
            // The token covers a fetcher made after the engine's Stop went through the fetchers.
            if (_stopped || _serverStopping.IsCancellationRequested) return Task.FromResult<IReadOnlyList<LeasedJob>>([]);
            waiter.Node = _waiters.AddLast(waiter);
            startLoop = !_loopRunning;
            _loopRunning = true;
        }
        if (ct.CanBeCanceled)
        {
            waiter.Registration = ct.Register(static state =>
            {
                var (self, w) = ((QueueFetcher, Waiter))state!;
                self.Remove(w);
                w.Result.TrySetCanceled();
            }, (this, waiter));
        }
        if (startLoop) _ = Task.Run(LoopAsync);
        else _newWaiter.Pulse();
        return waiter.Result.Task;
    }

    private void Remove(Waiter waiter)
    {
        lock (_waiters)
        {
            if (waiter.Node?.List is not null) _waiters.Remove(waiter.Node);
        }
    }

    private async Task LoopAsync()
    {
        while (true)
        {
            // Taken before the store call: a notification that lands while we fetch is not lost.
            var jobsAvailable = _signals.NextJobsAvailable(_queue);
            var newWaiter = _newWaiter.Next;
            int wanted;
            lock (_waiters)
            {
                wanted = 0;
                foreach (var w in _waiters)
                {
                    wanted += w.Max;
                    w.Tried = true;
                }
                if (wanted == 0)
                {
                    _loopRunning = false;
                    return;
                }
            }

            IReadOnlyList<LeasedJob> jobs;
            try
            {
                jobs = await _store.JobGetAvailable(_queue, Math.Min(wanted, _maxPerCall), _time.GetUtcNow(), CancellationToken.None);
            }
            catch (Exception ex)
            {
                FailAll(ex);
                continue;
            }

            var leftovers = Distribute(jobs);
            if (leftovers is not null) await GiveBackAsync(leftovers);

            var now = _time.GetUtcNow();
            var nextDeadline = ExpireWaiters(now);
            if (nextDeadline is null) continue; // nobody left; the next pass ends the loop
            if (jobs.Count >= Math.Min(wanted, _maxPerCall) || nextDeadline <= now) continue; // more may be there, or a newcomer is owed a look

            var sleep = nextDeadline.Value - now;
            if (sleep > _fallbackPoll) sleep = _fallbackPoll;
            if (sleep < TimeSpan.Zero) sleep = TimeSpan.Zero;
            using var delayCancel = new CancellationTokenSource();
            var delay = Task.Delay(sleep, _time, delayCancel.Token);
            await Task.WhenAny(jobsAvailable, newWaiter, delay).ConfigureAwait(false);
            delayCancel.Cancel();
        }
    }

    /// <summary>Hands jobs to waiters in arrival order; returns jobs nobody could take (their waiter gave up).</summary>
    private List<LeasedJob>? Distribute(IReadOnlyList<LeasedJob> jobs)
    {
        List<LeasedJob>? leftovers = null;
        var next = 0;
        while (next < jobs.Count)
        {
            Waiter? waiter;
            lock (_waiters)
            {
                waiter = _waiters.First?.Value;
                if (waiter is not null) _waiters.RemoveFirst();
            }
            if (waiter is null)
            {
                leftovers = [.. jobs.Skip(next)];
                break;
            }
            var take = Math.Min(waiter.Max, jobs.Count - next);
            var share = new LeasedJob[take];
            for (var i = 0; i < take; i++) share[i] = jobs[next + i];
            if (waiter.Complete(share)) next += take;
        }
        return leftovers;
    }

    /// <summary>Answers waiters whose deadline passed with no jobs; returns the earliest remaining deadline (now, when a
    /// waiter arrived during the store call: it is owed a look at the store before it may be answered empty).</summary>
    private DateTimeOffset? ExpireWaiters(DateTimeOffset now)
    {
        List<Waiter>? expired = null;
        DateTimeOffset? earliest = null;
        lock (_waiters)
        {
            var node = _waiters.First;
            while (node is not null)
            {
                var following = node.Next;
                if (!node.Value.Tried)
                {
                    earliest = now;
                }
                else if (node.Value.Deadline <= now)
                {
                    _waiters.Remove(node);
                    (expired ??= []).Add(node.Value);
                }
                else if (earliest is null || node.Value.Deadline < earliest)
                {
                    earliest = node.Value.Deadline;
                }
                node = following;
            }
        }
        if (expired is not null) foreach (var w in expired) w.Complete([]);
        return earliest;
    }

    /// <summary>Retires the fetcher when nobody waits and its loop has ended, so the engine can forget the queue (a fetcher
    /// per queue name ever fetched would otherwise grow without bound). A retired fetcher takes no more fetches.</summary>
    public bool TryRetire()
    {
        lock (_waiters)
        {
            if (_loopRunning || _waiters.Count > 0) return false;
            _retired = true;
            return true;
        }
    }

    /// <summary>The server is stopping: every waiter is answered empty now, and later fetches at once. Jobs a store call
    /// in flight leases find nobody to take them and are given back.</summary>
    public void Stop()
    {
        List<Waiter> all;
        lock (_waiters)
        {
            _stopped = true;
            all = [.. _waiters];
            _waiters.Clear();
        }
        foreach (var w in all) w.Complete([]);
        _newWaiter.Pulse();
    }

    private void FailAll(Exception ex)
    {
        if (ex is not StoreUnavailableException) _log.LogError(ex, "Fetching jobs of queue {Queue} failed", _queue); // else: logged once by StoreHealth
        List<Waiter> all;
        lock (_waiters)
        {
            all = [.. _waiters];
            _waiters.Clear();
        }
        foreach (var w in all) w.Fail(ex);
    }

    private async Task GiveBackAsync(List<LeasedJob> jobs)
    {
        try
        {
            var failures = jobs.Select(j => new Failure(j.Id, j.Attempt, FailureKind.Released, "fetch abandoned")).ToList();
            await _store.JobSetFailed(failures, _rules, _time.GetUtcNow(), CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Not fatal: the leases expire and the jobs come back on their own.
            _log.LogWarning(ex, "Could not give back {Count} jobs of queue {Queue} after their fetch was abandoned", jobs.Count, _queue);
        }
    }

    private sealed class Waiter(int max, DateTimeOffset deadline)
    {
        public readonly int Max = max;
        public readonly DateTimeOffset Deadline = deadline;
        public readonly TaskCompletionSource<IReadOnlyList<LeasedJob>> Result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public LinkedListNode<Waiter>? Node;
        /// <summary>A store call was made on this waiter's behalf; only then may it be answered empty.</summary>
        public bool Tried;
        public CancellationTokenRegistration Registration;

        public bool Complete(IReadOnlyList<LeasedJob> jobs)
        {
            Registration.Dispose();
            return Result.TrySetResult(jobs);
        }

        public void Fail(Exception ex)
        {
            Registration.Dispose();
            Result.TrySetException(ex);
        }
    }
}
