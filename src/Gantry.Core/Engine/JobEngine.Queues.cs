using Gantry.Core.Jobs;
using Gantry.Core.Queues;
using Microsoft.Extensions.Logging;

namespace Gantry.Core.Engine;

/// <summary>Queues: listing both lanes as one, pausing, and choosing a queue's lane.</summary>
public sealed partial class JobEngine
{
    /// <summary>The store's queues and the memory lane's; a name in both is one queue with the counts added.</summary>
    public async Task<IReadOnlyList<QueueSummary>> ListQueuesAsync(CancellationToken ct = default)
    {
        var stored = await _queues.QueueList(ct).ConfigureAwait(false);
        var memory = _memory.Queues();
        var merged = new Dictionary<string, QueueSummary>(StringComparer.Ordinal);
        foreach (var q in stored) merged[q.Name] = q with { Lane = Settings.LaneSetFor(q.Name) ?? QueueLanes.Durable };
        foreach (var q in memory)
        {
            merged[q.Name] = merged.TryGetValue(q.Name, out var s)
                ? s with
                {
                    Counts = JobStates.All.ToDictionary(st => st, st => s.Counts.GetValueOrDefault(st) + q.Counts.GetValueOrDefault(st)),
                    OldestAvailableSince = Earliest(s.OldestAvailableSince, q.OldestAvailableSince),
                    Paused = s.Paused || q.Paused,
                }
                : q with { Lane = Settings.LaneSetFor(q.Name) ?? QueueLanes.Memory };
        }
        // A queue that only has workers waiting is listed too: the operator sees who waits for a queue nobody feeds.
        foreach (var queue in _durableFetchers.Keys.Concat(_memoryFetchers.Keys))
        {
            if (WaitingFetches(queue) is var waiting and > 0)
                merged[queue] = merged.TryGetValue(queue, out var q) ? q with { WaitingFetches = waiting } : Empty(queue) with { WaitingFetches = waiting };
        }
        return merged.Values.OrderBy(q => q.Name, StringComparer.Ordinal).ToList();
    }

    private QueueSummary Empty(string queue) =>
        new(queue, Settings.IsPaused(queue), JobStates.All.ToDictionary(s => s, _ => 0L), null) { Lane = Settings.IsMemory(queue) ? QueueLanes.Memory : QueueLanes.Durable };

    /// <summary>One queue as <see cref="ListQueuesAsync"/> shows it; null when no lane knows it and nobody set anything on it.</summary>
    public async Task<QueueSummary?> GetQueueAsync(string queue, CancellationToken ct = default)
    {
        QueueName.Validate(queue);
        return (await ListQueuesAsync(ct).ConfigureAwait(false)).FirstOrDefault(q => q.Name == queue);
    }

    /// <summary>The store's queues alone, for a front that adds memory counts of its own (Gearman's admin protocol).</summary>
    public Task<IReadOnlyList<QueueSummary>> ListStoredQueuesAsync(CancellationToken ct = default) => _queues.QueueList(ct);

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    /// <summary>Pauses or resumes the queue in both lanes; the store keeps it, so every server and every restart agrees.
    /// Unless <paramref name="create"/>, a queue nobody has used is refused: a typo must not make a new paused queue.</summary>
    public async Task SetQueuePausedAsync(string queue, bool paused, CancellationToken ct = default, bool create = true)
    {
        QueueName.Validate(queue);
        if (!create && await GetQueueAsync(queue, ct).ConfigureAwait(false) is null)
            throw new GantryException(GantryErrorKind.NotFound,
                $"queue: there is no queue '{queue}' (see GET /api/queues). To {(paused ? "pause" : "resume")} a queue before its first job, " +
                $"create it with PUT /api/queues/{queue} {{\"paused\":{(paused ? "true" : "false")}}} (gantry {(paused ? "pause" : "resume")} --create).", "queue");
        await _queues.QueueSetPaused(queue, paused, _time.GetUtcNow(), ct).ConfigureAwait(false);
        Settings.Set(new QueueSetting(queue, paused, Settings.LaneSetFor(queue)));
        _memory.SetPaused(queue, paused);
    }

    /// <summary>Puts the queue's jobs in <paramref name="lane"/> from now on. Refused while the other lane still holds
    /// jobs of the queue that are not finished: they would be stranded where no worker of the queue looks.</summary>
    public async Task SetQueueLaneAsync(string queue, string lane, CancellationToken ct = default)
    {
        QueueName.Validate(queue);
        if (lane is not (QueueLanes.Memory or QueueLanes.Durable))
            throw GantryException.Invalid("lane", $"lane is '{QueueLanes.Memory}' or '{QueueLanes.Durable}' (got '{lane}').");
        var toMemory = lane == QueueLanes.Memory;
        if (Settings.IsMemory(queue) != toMemory)
        {
            var waiting = toMemory ? await StoredLiveJobsAsync(queue, ct).ConfigureAwait(false) : MemoryLiveJobs(queue);
            if (waiting > 0)
                throw new GantryException(GantryErrorKind.Conflict,
                    $"queue '{queue}' still has {waiting} unfinished jobs in the {LaneName(!toMemory)} lane; they would be stranded " +
                    $"there. Let its workers finish them (or cancel them), then set the lane.", "lane");
        }
        await _queues.QueueSetLane(queue, lane, _time.GetUtcNow(), ct).ConfigureAwait(false);
        Settings.Set(new QueueSetting(queue, Settings.IsPaused(queue), lane));
    }

    private async Task<long> StoredLiveJobsAsync(string queue, CancellationToken ct)
    {
        var q = (await _queues.QueueList(ct).ConfigureAwait(false)).FirstOrDefault(x => x.Name == queue);
        return q is null ? 0 : JobStates.All.Where(s => s.IsLive()).Sum(s => q.Counts.GetValueOrDefault(s));
    }

    private long MemoryLiveJobs(string queue) =>
        _memory.Queues().Where(q => q.Name == queue).Sum(q => JobStates.All.Where(s => s.IsLive()).Sum(s => q.Counts.GetValueOrDefault(s)));

    /// <summary>Reads every queue's settings from the store (at start, and when any server changed one).</summary>
    public async Task LoadQueueSettingsAsync(CancellationToken ct = default)
    {
        var settings = await _queues.QueueListSettings(ct).ConfigureAwait(false);
        var before = Settings.All.Where(s => s.Paused).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        Settings.Replace(settings);
        foreach (var s in settings) _memory.SetPaused(s.Name, s.Paused);
        foreach (var name in before.Where(n => !Settings.IsPaused(n))) _memory.SetPaused(name, false);
    }

    private int _settingsLoading;

    private void OnQueueSettingsChanged()
    {
        // Raised on a store's commit thread: read them again elsewhere, and only once for a burst of changes.
        if (Interlocked.Exchange(ref _settingsLoading, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            try
            {
                Interlocked.Exchange(ref _settingsLoading, 0);
                await LoadQueueSettingsAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _log.LogWarning(ex, "Reading queue settings again after a change failed; the next change or restart reads them");
            }
        });
    }
}
