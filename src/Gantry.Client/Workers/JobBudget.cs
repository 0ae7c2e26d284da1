namespace Gantry.Client.Workers;

/// <summary>
/// How many more jobs a worker host may lease, shared by all its queues (<see cref="GantryWorkerOptions.MaxJobs"/>).
/// A fetch reserves budget before it asks the server, so the host never leases more jobs than it has left; what a
/// fetch did not get back is returned for the next fetch (of any queue). Once every job of the budget has finished,
/// <see cref="FinishOne"/> says so, once.
/// </summary>
internal sealed class JobBudget
{
    private readonly object _lock = new();
    private readonly int? _limit;
    private int _untaken;
    private int _reserved;
    private int _finished;
    private TaskCompletionSource _changed = NewSignal();

    /// <param name="limit">Jobs the host may lease in all; null for no limit.</param>
    public JobBudget(int? limit) => (_limit, _untaken) = (limit, limit ?? 0);

    /// <summary>Completes at the next <see cref="Settle"/>: take it before <see cref="TryTake"/>, so a return in between is not missed.</summary>
    public Task Changed
    {
        get
        {
            if (_limit is null) return Task.CompletedTask;
            lock (_lock) return _changed.Task;
        }
    }

    /// <summary>True when every job of the budget is leased (or the budget is gone): the fetch loops can stop for good.</summary>
    public bool Exhausted
    {
        get { lock (_lock) return _limit is not null && _untaken == 0 && _reserved == 0; }
    }

    /// <summary>Reserves up to <paramref name="wanted"/> jobs for one fetch and returns how many it may ask for.</summary>
    public int TryTake(int wanted)
    {
        if (_limit is null) return wanted;
        lock (_lock)
        {
            var granted = Math.Min(wanted, _untaken);
            _untaken -= granted;
            _reserved += granted;
            return granted;
        }
    }

    /// <summary>After a fetch that reserved <paramref name="reserved"/> jobs and leased <paramref name="leased"/>: the rest goes back.</summary>
    public void Settle(int reserved, int leased)
    {
        if (_limit is null) return;
        TaskCompletionSource changed;
        lock (_lock)
        {
            _reserved -= reserved;
            _untaken += reserved - leased;
            changed = _changed;
            _changed = NewSignal();
        }
        changed.TrySetResult();
    }

    /// <summary>Counts one finished job; true for the job that finishes the budget.</summary>
    public bool FinishOne()
    {
        if (_limit is null) return false;
        lock (_lock) return ++_finished == _limit;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
