using System.Collections.Concurrent;
using Gantry.Core.Engine;
using Gantry.Core.Storage;

namespace Gantry.Core.Topics;

/// <summary>
/// Wake-ups for topic readers: long polls and live feeds wait on a topic's pulse, group fetchers on their group's (which
/// new messages pulse too). Stores announce appends after commit through <see cref="INotifier"/>, on this server and
/// (PostgreSQL) from the others, so no reader polls.
/// </summary>
public sealed class TopicSignals
{
    private readonly ConcurrentDictionary<string, AsyncPulse> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, string), AsyncPulse> _groups = new();
    private volatile Action<TopicAppend>[] _observers = [];

    /// <summary>Completes at the next append to <paramref name="topic"/> (take it before reading, so none is missed).</summary>
    public Task NextPublished(string topic) => Next(_topics, topic);

    /// <summary>Completes at the next append to the group's topic, or when deliveries of the group become ready.</summary>
    public Task NextGroupChange(string topic, string group) => Next(_groups, (topic, group));

    // Taking a pulse and forgetting idle ones share a lock, so a waiter never holds a pulse that was just forgotten.
    private readonly Lock _forget = new();

    private Task Next<TKey>(ConcurrentDictionary<TKey, AsyncPulse> pulses, TKey key) where TKey : notnull
    {
        lock (_forget) return pulses.GetOrAdd(key, static _ => new AsyncPulse()).Next;
    }

    /// <summary>Adds a synchronous observer of every append (the live hub); it runs on the announcing thread, so it
    /// must be quick and never block.</summary>
    public void Observe(Action<TopicAppend> observer)
    {
        lock (_topics) _observers = [.. _observers, observer];
    }

    public void Published(TopicAppend append)
    {
        if (_topics.TryGetValue(append.Topic, out var pulse)) pulse.Pulse();
        if (!_groups.IsEmpty)
        {
            foreach (var (key, groupPulse) in _groups)
                if (string.Equals(key.Item1, append.Topic, StringComparison.Ordinal)) groupPulse.Pulse();
        }
        foreach (var observer in _observers) observer(append);
    }

    public void GroupReady(string topic, string group)
    {
        if (_groups.TryGetValue((topic, group), out var pulse)) pulse.Pulse();
    }

    /// <summary>Notifications may have been lost: every reader looks again.</summary>
    public void EverythingMayHaveChanged()
    {
        foreach (var pulse in _topics.Values) pulse.Pulse();
        foreach (var pulse in _groups.Values) pulse.Pulse();
        foreach (var observer in _observers) observer(new TopicAppend("", 0, 0));
    }

    /// <summary>Forgets the pulses nobody waits on (called by housekeeping, so names clients used once do not pile up).</summary>
    public void ForgetIdle()
    {
        lock (_forget) ForgetIdleLocked();
    }

    private void ForgetIdleLocked()
    {
        foreach (var entry in _topics)
            if (entry.Value.IsIdle) _topics.TryRemove(entry);
        foreach (var entry in _groups)
            if (entry.Value.IsIdle) _groups.TryRemove(entry);
    }
}
