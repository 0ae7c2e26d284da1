namespace Gantry.Core.Topics;

/// <summary>
/// One memory topic's log in this process: a ring of its newest messages bounded by count and by bytes, with the
/// ids of explicitly identified messages for dedup. Its epoch is made when the ring is (each server start is a new
/// history). All operations take the ring's lock briefly; nothing waits inside it.
/// </summary>
internal sealed class MemoryTopicRing(string topic, string epoch)
{
    private readonly Lock _gate = new();
    private TopicMessage[] _slots = new TopicMessage[16];
    private int _head;   // index of the oldest message
    private int _count;
    private long _last;  // newest offset; offsets are dense, so the oldest is _last - _count + 1
    private long _bytes;
    private readonly Dictionary<string, long> _ids = new(StringComparer.Ordinal);

    public string Epoch { get; } = epoch;

    public (long First, long Last, long Count) Offsets
    {
        get
        {
            lock (_gate) return (_last - _count + 1, _last, _count);
        }
    }

    public IReadOnlyList<PublishResult> Append(IReadOnlyList<NewMessage> messages, DateTimeOffset now, DateTimeOffset dedupSince,
        long maxCount, long maxBytes, out long first, out long last)
    {
        var results = new PublishResult[messages.Count];
        first = 0;
        lock (_gate)
        {
            for (var i = 0; i < messages.Count; i++)
            {
                var m = messages[i];
                if (m.IdGiven && _ids.TryGetValue(m.Id, out var seen) && At(seen) is { } earlier && earlier.PublishedAt >= dedupSince)
                {
                    results[i] = new PublishResult(seen, true);
                    continue;
                }
                var offset = ++_last;
                if (first == 0) first = offset;
                Push(new TopicMessage(topic, offset, m.Id, m.ContentType, m.Headers, m.Body.ToArray(), now));
                if (m.IdGiven) _ids[m.Id] = offset;
                results[i] = new PublishResult(offset, false);
                while (_count > 1 && (_count > maxCount || _bytes > maxBytes)) Pop();
            }
            last = first == 0 ? 0 : _last;
        }
        return results;
    }

    public TopicRead Read(long after, int limit)
    {
        lock (_gate)
        {
            var firstKept = _last - _count + 1;
            var from = Math.Max(after + 1, firstKept);
            var n = (int)Math.Clamp(_last - from + 1, 0, limit);
            var list = new TopicMessage[n];
            for (var i = 0; i < n; i++) list[i] = _slots[Index(from - firstKept + i)];
            return new TopicRead(list, Epoch, firstKept, _last);
        }
    }

    public long OffsetBefore(DateTimeOffset time)
    {
        lock (_gate)
        {
            for (var i = 0; i < _count; i++)
            {
                var m = _slots[Index(i)];
                if (m.PublishedAt >= time) return m.Offset - 1;
            }
            return _last;
        }
    }

    /// <summary>Drops up to <paramref name="limit"/> oldest messages at or below <paramref name="through"/> or published
    /// before <paramref name="before"/>, never the newest.</summary>
    public int Prune(long through, DateTimeOffset before, int limit)
    {
        lock (_gate)
        {
            var n = 0;
            while (n < limit && _count > 1 && _slots[_head] is var oldest && (oldest.Offset <= through || oldest.PublishedAt < before))
            {
                Pop();
                n++;
            }
            return n;
        }
    }

    private TopicMessage? At(long offset)
    {
        var firstKept = _last - _count + 1;
        return offset < firstKept || offset > _last ? null : _slots[Index(offset - firstKept)];
    }

    private int Index(long fromOldest) => (int)((_head + fromOldest) % _slots.Length);

    private void Push(TopicMessage m)
    {
        if (_count == _slots.Length)
        {
            // Grows by doubling: a quiet topic holds a small array, a busy one settles at its bound.
            var bigger = new TopicMessage[_slots.Length * 2];
            for (var i = 0; i < _count; i++) bigger[i] = _slots[Index(i)];
            (_slots, _head) = (bigger, 0);
        }
        _slots[Index(_count)] = m;
        _count++;
        _bytes += m.Body.Length;
    }

    private void Pop()
    {
        var oldest = _slots[_head];
        _slots[_head] = null!;
        _head = (_head + 1) % _slots.Length;
        _count--;
        _bytes -= oldest.Body.Length;
        if (_ids.TryGetValue(oldest.Id, out var o) && o == oldest.Offset) _ids.Remove(oldest.Id);
    }
}
