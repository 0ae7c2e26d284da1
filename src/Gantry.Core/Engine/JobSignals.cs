using System.Collections.Concurrent;
using Gantry.Core.Storage;

namespace Gantry.Core.Engine;

/// <summary>
/// In-process notifications between the stores (which know when a commit made jobs available or finished
/// them) and the engine's waiters (long-polling fetchers, result waiters, the scheduler). Stores shared by
/// several servers forward the other servers' notifications here too, so waiting never needs polling.
/// </summary>
public sealed class JobSignals : INotifier
{
    private readonly ConcurrentDictionary<string, AsyncPulse> _queues = new(StringComparer.Ordinal);
    private readonly Dictionary<long, Waiter> _finishWaiters = new();
    private readonly AsyncPulse _schedule = new();
    private readonly AsyncPulse _recurring = new();
    private long _plannedSchedulerWake = long.MaxValue;
    private int _finishWaiterCount;

    /// <summary>Committed changes from a driver: wakes whoever waits for them.</summary>
    public void Announce(ChangeSet committed)
    {
        var queues = committed.QueuesWithAvailableJobs;
        for (var i = 0; i < queues.Count; i++) JobsAvailable(queues[i]);
        if (committed.FinishedJobs.Count > 0) JobsFinished(committed.FinishedJobs);
        if (committed.EarliestDue is { } due) JobScheduled(due);
        if (committed.RecurringChanged) RecurringChanged();
        if (committed.QueueSettingsChanged) QueueSettingsChanged?.Invoke();
        var published = committed.MessagesPublished;
        for (var i = 0; i < published.Count; i++) Topics.Published(published[i]);
        var groups = committed.GroupsReady;
        for (var i = 0; i < groups.Count; i++) Topics.GroupReady(groups[i].Topic, groups[i].Group);
    }

    /// <summary>The topics' wake-ups (new messages, groups with deliveries ready), announced through the same port.</summary>
    public Topics.TopicSignals Topics { get; } = new();

    /// <summary>Raised (on the announcing thread) when queue settings changed on this server or another: the engine
    /// reads them again.</summary>
    public event Action? QueueSettingsChanged;

    private volatile IJobSignalObserver[] _observers = [];

    /// <summary>Adds a synchronous observer (a protocol front that wakes its own sleepers); it is called on the
    /// announcing thread, so it must be quick and must not block.</summary>
    public void Observe(IJobSignalObserver observer)
    {
        lock (_finishWaiters) _observers = [.. _observers, observer];
    }

    /// <summary>Jobs became available in <paramref name="queue"/> (enqueued, due, retried, released, or the queue was resumed).</summary>
    public void JobsAvailable(string queue)
    {
        if (_queues.TryGetValue(queue, out var pulse)) pulse.Pulse();
        foreach (var observer in _observers) observer.JobsAvailable(queue);
    }

    /// <summary>Notifications may have been lost (a store's listener reconnected): wake every waiter so it looks again.</summary>
    public void EverythingMayHaveChanged()
    {
        QueueSettingsChanged?.Invoke();
        foreach (var observer in _observers) observer.EverythingMayHaveChanged();
        foreach (var pulse in _queues.Values) pulse.Pulse();
        _schedule.Pulse();
        _recurring.Pulse();
        Topics.EverythingMayHaveChanged();
        List<Waiter> waiters;
        lock (_finishWaiters) waiters = [.. _finishWaiters.Values];
        // Finish waiters re-read the job when woken; those whose job is not finished register again.
        foreach (var w in waiters) w.Done.TrySetResult();
        lock (_finishWaiters)
        {
            foreach (var id in _finishWaiters.Where(kv => kv.Value.Done.Task.IsCompleted).Select(kv => kv.Key).ToList())
            {
                _finishWaiters.Remove(id);
                _finishWaiterCount--;
            }
        }
    }

    /// <summary>Completes when <see cref="JobsAvailable"/> is next called for <paramref name="queue"/>.</summary>
    public Task NextJobsAvailable(string queue) => _queues.GetOrAdd(queue, static _ => new AsyncPulse()).Next;

    /// <summary>A job was scheduled for <paramref name="runAt"/>; wakes the scheduler if that is sooner than it planned.</summary>
    public void JobScheduled(DateTimeOffset runAt)
    {
        if (runAt.UtcTicks < Interlocked.Read(ref _plannedSchedulerWake)) _schedule.Pulse();
    }

    /// <summary>For the scheduler: records when it plans to wake and returns the task that wakes it earlier.</summary>
    public Task NextScheduleChange(DateTimeOffset plannedWake)
    {
        var next = BeginScheduleWait();
        PlanSchedulerWake(plannedWake);
        return next;
    }

    /// <summary>For the scheduler, before it looks at the store: any job scheduled from now on wakes the returned task,
    /// until <see cref="PlanSchedulerWake"/> narrows that to jobs due before the planned wake.</summary>
    public Task BeginScheduleWait()
    {
        Interlocked.Exchange(ref _plannedSchedulerWake, long.MaxValue);
        return _schedule.Next;
    }

    /// <summary>For the scheduler, after it looked at the store: only jobs due before <paramref name="plannedWake"/> need to wake it.</summary>
    public void PlanSchedulerWake(DateTimeOffset plannedWake) => Interlocked.Exchange(ref _plannedSchedulerWake, plannedWake.UtcTicks);

    /// <summary>A recurring schedule was saved or resumed on this server: the recurring loop looks again at once.</summary>
    public void RecurringChanged() => _recurring.Pulse();

    /// <summary>For the recurring loop, taken before it reads the store: completes at the next <see cref="RecurringChanged"/>.</summary>
    public Task NextRecurringChange() => _recurring.Next;

    /// <summary>Jobs reached a final state.</summary>
    public void JobsFinished(IReadOnlyList<long> ids)
    {
        foreach (var observer in _observers) observer.JobsFinished(ids);
        if (Volatile.Read(ref _finishWaiterCount) == 0) return;
        lock (_finishWaiters)
        {
            for (var i = 0; i < ids.Count; i++)
            {
                var id = ids[i];
                if (_finishWaiters.Remove(id, out var waiter))
                {
                    _finishWaiterCount--;
                    waiter.Done.TrySetResult();
                }
            }
        }
    }

    /// <summary>Completes when <see cref="JobsFinished"/> names <paramref name="id"/>. Dispose the lease when done waiting.</summary>
    public FinishWait WaitFinished(long id)
    {
        lock (_finishWaiters)
        {
            if (!_finishWaiters.TryGetValue(id, out var waiter))
            {
                waiter = new Waiter();
                _finishWaiters.Add(id, waiter);
                _finishWaiterCount++;
            }
            waiter.Users++;
            return new FinishWait(this, id, waiter);
        }
    }

    private void Leave(long id, Waiter waiter)
    {
        lock (_finishWaiters)
        {
            // The last one to stop waiting removes the entry, so abandoned waits do not accumulate.
            if (--waiter.Users == 0 && _finishWaiters.TryGetValue(id, out var current) && current == waiter)
            {
                _finishWaiters.Remove(id);
                _finishWaiterCount--;
            }
        }
    }

    internal sealed class Waiter
    {
        public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Users;
    }

    /// <summary>A registration to wait for one job's end.</summary>
    public sealed class FinishWait : IDisposable
    {
        private readonly JobSignals _owner;
        private readonly long _id;
        private readonly Waiter _waiter;
        private int _disposed;

        internal FinishWait(JobSignals owner, long id, Waiter waiter) => (_owner, _id, _waiter) = (owner, id, waiter);

        public Task Finished => _waiter.Done.Task;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) _owner.Leave(_id, _waiter);
        }
    }
}

/// <summary>What a synchronous observer of <see cref="JobSignals"/> is told, on the announcing thread.</summary>
public interface IJobSignalObserver
{
    void JobsAvailable(string queue);
    void JobsFinished(IReadOnlyList<long> ids);
    void EverythingMayHaveChanged();
}
