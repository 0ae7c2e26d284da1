namespace Gantry.Core.Storage;

/// <summary>
/// What committed writes changed that someone may be waiting for: queues that got available jobs, jobs that finished,
/// the earliest time a scheduled or failed job falls due, schedules that changed. A driver collects one per
/// transaction (or group commit) and hands it to its <see cref="INotifier"/> after the commit, never before: a waiter
/// woken early would look and find nothing.
/// </summary>
public sealed class ChangeSet
{
    private readonly HashSet<string> _available = new(StringComparer.Ordinal);
    private readonly List<long> _finished = [];

    public IReadOnlyCollection<string> QueuesWithAvailableJobs => _available;
    public IReadOnlyList<long> FinishedJobs => _finished;
    /// <summary>The earliest run_at among jobs that became scheduled or failed.</summary>
    public DateTimeOffset? EarliestDue { get; private set; }
    /// <summary>A recurring schedule was saved or resumed.</summary>
    public bool RecurringChanged { get; private set; }

    public bool IsEmpty => _available.Count == 0 && _finished.Count == 0 && EarliestDue is null && !RecurringChanged;

    public void JobsAvailable(string queue) => _available.Add(queue);

    public void JobFinished(long id) => _finished.Add(id);

    public void JobsFinished(IEnumerable<long> ids) => _finished.AddRange(ids);

    public void JobDue(DateTimeOffset runAt)
    {
        if (EarliestDue is null || runAt < EarliestDue) EarliestDue = runAt;
    }

    public void ScheduleChanged() => RecurringChanged = true;

    /// <summary>Takes in another set's changes (a command that committed inside a larger batch).</summary>
    public void Add(ChangeSet other)
    {
        _available.UnionWith(other._available);
        _finished.AddRange(other._finished);
        if (other.EarliestDue is { } t) JobDue(t);
        RecurringChanged |= other.RecurringChanged;
    }

    public void Clear()
    {
        _available.Clear();
        _finished.Clear();
        EarliestDue = null;
        RecurringChanged = false;
    }
}
