namespace Gantry.Core.Storage;

/// <summary>
/// What committed writes changed that someone may be waiting for: queues that got available jobs, jobs that finished,
/// the earliest time a scheduled or failed job falls due, schedules that changed. A driver collects one per
/// transaction (or group commit) and hands it to its <see cref="INotifier"/> after the commit, never before: a waiter
/// woken early would look and find nothing.
/// </summary>
public sealed class ChangeSet
{
    // A list, not a set: a change set usually names one queue, and a set's hashing cost more than the scan.
    private readonly List<string> _available = [];
    private readonly List<long> _finished = [];
    private readonly List<TopicAppend> _published = [];
    private readonly List<(string Topic, string Group)> _groups = [];

    // Indexed lists, so readers loop without an enumerator to allocate: the memory lane announces per job.
    public IReadOnlyList<string> QueuesWithAvailableJobs => _available;
    public IReadOnlyList<long> FinishedJobs => _finished;
    /// <summary>The earliest run_at among jobs that became scheduled or failed.</summary>
    public DateTimeOffset? EarliestDue { get; private set; }
    /// <summary>A recurring schedule was saved or resumed.</summary>
    public bool RecurringChanged { get; private set; }
    /// <summary>A queue was paused, resumed or given a lane: every server reads the settings again.</summary>
    public bool QueueSettingsChanged { get; private set; }

    /// <summary>Offsets appended to topics (first and last of each commit's range, per topic).</summary>
    public IReadOnlyList<TopicAppend> MessagesPublished => _published;
    /// <summary>Consumer groups with deliveries that became deliverable now (a nack without delay, a reset, a replay).</summary>
    public IReadOnlyList<(string Topic, string Group)> GroupsReady => _groups;

    public bool IsEmpty => _available.Count == 0 && _finished.Count == 0 && EarliestDue is null && !RecurringChanged && !QueueSettingsChanged
                           && _published.Count == 0 && _groups.Count == 0;

    public void Published(string topic, long first, long last)
    {
        for (var i = 0; i < _published.Count; i++)
        {
            var known = _published[i];
            if (!string.Equals(known.Topic, topic, StringComparison.Ordinal)) continue;
            _published[i] = new TopicAppend(topic, Math.Min(known.First, first), Math.Max(known.Last, last));
            return;
        }
        _published.Add(new TopicAppend(topic, first, last));
    }

    public void GroupReady(string topic, string group)
    {
        foreach (var known in _groups)
            if (known.Topic == topic && known.Group == group) return;
        _groups.Add((topic, group));
    }

    public void JobsAvailable(string queue)
    {
        foreach (var known in _available)
            if (ReferenceEquals(known, queue) || string.Equals(known, queue, StringComparison.Ordinal)) return;
        _available.Add(queue);
    }

    public void JobFinished(long id) => _finished.Add(id);

    public void JobsFinished(IEnumerable<long> ids) => _finished.AddRange(ids);

    public void JobDue(DateTimeOffset runAt)
    {
        if (EarliestDue is null || runAt < EarliestDue) EarliestDue = runAt;
    }

    public void ScheduleChanged() => RecurringChanged = true;

    public void QueueSettingChanged() => QueueSettingsChanged = true;

    /// <summary>Takes in another set's changes (a command that committed inside a larger batch).</summary>
    public void Add(ChangeSet other)
    {
        foreach (var queue in other._available) JobsAvailable(queue);
        _finished.AddRange(other._finished);
        if (other.EarliestDue is { } t) JobDue(t);
        RecurringChanged |= other.RecurringChanged;
        QueueSettingsChanged |= other.QueueSettingsChanged;
        foreach (var p in other._published) Published(p.Topic, p.First, p.Last);
        foreach (var g in other._groups) GroupReady(g.Topic, g.Group);
    }

    public void Clear()
    {
        _available.Clear();
        _finished.Clear();
        EarliestDue = null;
        RecurringChanged = false;
        QueueSettingsChanged = false;
        _published.Clear();
        _groups.Clear();
    }
}

/// <summary>Offsets <paramref name="First"/> to <paramref name="Last"/> of <paramref name="Topic"/> were committed.</summary>
public readonly record struct TopicAppend(string Topic, long First, long Last);
