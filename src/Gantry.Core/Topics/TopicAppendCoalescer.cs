using System.Collections.Concurrent;
using Gantry.Core.Storage;

namespace Gantry.Core.Topics;

/// <summary>
/// Merges concurrent publishes to one durable topic into one store append. A topic's appends are serialised through
/// commit (that is what keeps offsets visible in order), so on PostgreSQL sixteen publishers to one topic would
/// otherwise queue behind each other's row lock, one transaction and one fsync each. Here the first publish runs
/// alone; those that arrive while it is in flight wait, and when it is done they go to the store together, as one
/// transaction, with each caller answered its own slice of the results. Ids repeated across the merged publishes are
/// deduplicated as within one batch (the later copy is answered with the first offset).
/// </summary>
internal sealed class TopicAppendCoalescer(ITopicStore store)
{
    /// <summary>At most this many messages go to the store in one merged append; the rest wait for the next round.</summary>
    public const int MaxMergedMessages = 1000;

    private sealed class Pending(IReadOnlyList<NewMessage> messages, string newEpoch, DateTimeOffset now, DateTimeOffset dedupSince)
    {
        public readonly IReadOnlyList<NewMessage> Messages = messages;
        public readonly string NewEpoch = newEpoch;
        public readonly DateTimeOffset Now = now;
        public readonly DateTimeOffset DedupSince = dedupSince;
        public readonly TaskCompletionSource<PublishOutcome> Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Lane
    {
        public readonly Lock Gate = new();
        public readonly List<Pending> Waiting = [];
        public bool Busy;
    }

    private readonly ConcurrentDictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    public async Task<PublishOutcome> AppendAsync(string topic, IReadOnlyList<NewMessage> messages, string newEpoch, DateTimeOffset now,
        DateTimeOffset dedupSince, CancellationToken ct)
    {
        var lane = _lanes.GetOrAdd(topic, static _ => new Lane());
        Pending? queued = null;
        lock (lane.Gate)
        {
            if (lane.Busy) lane.Waiting.Add(queued = new Pending(messages, newEpoch, now, dedupSince));
            else lane.Busy = true;
        }
        if (queued is not null) return await queued.Done.Task.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await store.TopicAppend(topic, messages, newEpoch, now, dedupSince, ct).ConfigureAwait(false);
        }
        finally
        {
            HandOff(topic, lane);
        }
    }

    /// <summary>The append in flight is done: the next round (everything that queued meanwhile) starts, or the lane goes idle.</summary>
    private void HandOff(string topic, Lane lane)
    {
        lock (lane.Gate)
        {
            if (lane.Waiting.Count == 0)
            {
                lane.Busy = false;
                _lanes.TryRemove(new KeyValuePair<string, Lane>(topic, lane));
                return;
            }
        }
        // Off the caller's path: it has its answer and must not wait for the others' round.
        _ = Task.Run(() => DrainAsync(topic, lane));
    }

    private async Task DrainAsync(string topic, Lane lane)
    {
        while (true)
        {
            List<Pending> round;
            lock (lane.Gate)
            {
                if (lane.Waiting.Count == 0)
                {
                    lane.Busy = false;
                    _lanes.TryRemove(new KeyValuePair<string, Lane>(topic, lane));
                    return;
                }
                round = Take(lane.Waiting);
            }
            var merged = new List<NewMessage>(round.Sum(p => p.Messages.Count));
            foreach (var p in round) merged.AddRange(p.Messages);
            var last = round[^1];
            try
            {
                // No caller's token: one caller giving up must not fail the others' publishes.
                var outcome = await store.TopicAppend(topic, merged, last.NewEpoch, last.Now, last.DedupSince, CancellationToken.None).ConfigureAwait(false);
                var at = 0;
                foreach (var p in round)
                {
                    var slice = new PublishResult[p.Messages.Count];
                    for (var i = 0; i < slice.Length; i++) slice[i] = outcome.Results[at++];
                    p.Done.TrySetResult(new PublishOutcome(slice, outcome.Epoch));
                }
            }
            catch (Exception ex)
            {
                foreach (var p in round) p.Done.TrySetException(ex);
            }
        }
    }

    /// <summary>The waiting publishes, oldest first, up to <see cref="MaxMergedMessages"/> (always at least one).</summary>
    private static List<Pending> Take(List<Pending> waiting)
    {
        var count = 0;
        var n = 0;
        while (n < waiting.Count && (n == 0 || count + waiting[n].Messages.Count <= MaxMergedMessages)) count += waiting[n++].Messages.Count;
        var round = waiting.GetRange(0, n);
        waiting.RemoveRange(0, n);
        return round;
    }
}
