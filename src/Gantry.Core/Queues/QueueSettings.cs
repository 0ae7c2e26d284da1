using System.Collections.Frozen;

namespace Gantry.Core.Queues;

/// <summary>
/// Every queue's lane and pause as this server last read them from the store: the engine decides per call which lane a
/// queue's jobs go to, so the answer must cost nothing. Read at start and again whenever a server sharing the store
/// changes a setting (the notifier says so).
/// </summary>
/// <remarks>A queue nobody set a lane for is durable: a queue that loses its jobs on a restart must be chosen, never
/// fallen into. (The Gearman front keeps gearmand's default, memory, for functions nobody set; see its options.)</remarks>
public sealed class QueueSettings
{
    private volatile FrozenDictionary<string, QueueSetting> _settings = FrozenDictionary<string, QueueSetting>.Empty;
    private int _version;

    /// <summary>Changes whenever the settings do, so a front may cache what it derived from them.</summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>The lane a front that has no default of its own uses for <paramref name="queue"/>.</summary>
    public bool IsMemory(string queue) => _settings.TryGetValue(queue, out var s) && s.Lane == QueueLanes.Memory;

    /// <summary>The lane someone set for the queue, or null.</summary>
    public string? LaneSetFor(string queue) => _settings.TryGetValue(queue, out var s) ? s.Lane : null;

    public bool IsPaused(string queue) => _settings.TryGetValue(queue, out var s) && s.Paused;

    public IReadOnlyCollection<QueueSetting> All => _settings.Values;

    public void Replace(IEnumerable<QueueSetting> settings)
    {
        _settings = settings.ToFrozenDictionary(s => s.Name, StringComparer.Ordinal);
        Interlocked.Increment(ref _version);
    }

    /// <summary>This server's own change, seen at once (the reload that follows brings the same).</summary>
    public void Set(QueueSetting setting)
    {
        var copy = _settings.ToDictionary(StringComparer.Ordinal);
        copy[setting.Name] = setting;
        _settings = copy.ToFrozenDictionary(StringComparer.Ordinal);
        Interlocked.Increment(ref _version);
    }
}
