using Gantry.Core.Jobs;

namespace Gantry.Core.Memory;

/// <summary>
/// A memory queue's available jobs in the order workers get them: highest priority first, then earliest run_at, then
/// lowest id. One line per priority in use (usually one to three); each line is a ring that jobs join at the back, the
/// case of almost every job, and at the front when they come back first in line (a released job), both in O(1); only a
/// job that belongs in the middle (a retry due before jobs already waiting) goes to the line's small heap. Entries name
/// a job with its stamp, so a job that left (leased, cancelled) is skipped when it reaches the front, never searched for.
/// </summary>
internal sealed class AvailableLine
{
    private Bucket[] _buckets = [];

    public void Push(MemoryJob job)
    {
        var bucket = BucketFor(job.Priority);
        bucket.Push(job);
    }

    /// <summary>The first live job, or null.</summary>
    public MemoryJob? Peek()
    {
        foreach (var bucket in _buckets)
            if (bucket.Peek() is { } job) return job;
        return null;
    }

    /// <summary>Takes out the job <see cref="Peek"/> returned.</summary>
    public void TakePeeked(MemoryJob job) => BucketFor(job.Priority).TakePeeked(job);

    /// <summary>Every live entry, in no order (listings only).</summary>
    public IEnumerable<MemoryJob> Live() => _buckets.SelectMany(b => b.Live());

    private Bucket BucketFor(int priority)
    {
        foreach (var b in _buckets)
            if (b.Priority == priority) return b;
        var bucket = new Bucket(priority);
        // Highest priority first.
        var list = new List<Bucket>(_buckets) { bucket };
        list.Sort((x, y) => y.Priority.CompareTo(x.Priority));
        _buckets = [.. list];
        return bucket;
    }

    private sealed class Bucket(int priority)
    {
        private (MemoryJob Job, int Stamp)[] _ring = new (MemoryJob, int)[16];
        private int _head;
        private int _count;
        private readonly PriorityQueue<(MemoryJob Job, int Stamp), AvailableKey> _middle = new();
        private bool _fromRing;

        public int Priority { get; } = priority;

        public void Push(MemoryJob job)
        {
            var key = job.Key;
            DropStaleEnds();
            if (_count == 0 || key.CompareTo(At(_count - 1).Job.Key) >= 0) PushBack((job, job.Stamp));
            else if (key.CompareTo(At(0).Job.Key) <= 0) PushFront((job, job.Stamp));
            else _middle.Enqueue((job, job.Stamp), key);
        }

        public MemoryJob? Peek()
        {
            MemoryJob? ring = null;
            while (_count > 0)
            {
                var e = At(0);
                if (IsLive(e)) { ring = e.Job; break; }
                DropFront();
            }
            MemoryJob? middle = null;
            while (_middle.TryPeek(out var e, out _))
            {
                if (IsLive(e)) { middle = e.Job; break; }
                _middle.Dequeue();
            }
            if (ring is null && middle is null) return null;
            _fromRing = middle is null || (ring is not null && ring.Key.CompareTo(middle.Key) <= 0);
            return _fromRing ? ring : middle;
        }

        public void TakePeeked(MemoryJob job)
        {
            if (_fromRing) DropFront();
            else _middle.Dequeue();
        }

        public IEnumerable<MemoryJob> Live()
        {
            for (var i = 0; i < _count; i++)
                if (IsLive(At(i))) yield return At(i).Job;
            foreach (var (e, _) in _middle.UnorderedItems)
                if (IsLive(e)) yield return e.Job;
        }

        private static bool IsLive((MemoryJob Job, int Stamp) e) => e.Job.State == JobState.Available && e.Job.Stamp == e.Stamp;

        private (MemoryJob Job, int Stamp) At(int i) => _ring[(_head + i) & (_ring.Length - 1)];

        private void DropStaleEnds()
        {
            while (_count > 0 && !IsLive(At(0))) DropFront();
            while (_count > 0 && !IsLive(At(_count - 1))) { _ring[(_head + _count - 1) & (_ring.Length - 1)] = default; _count--; }
        }

        private void DropFront()
        {
            _ring[_head] = default;
            _head = (_head + 1) & (_ring.Length - 1);
            _count--;
        }

        private void PushBack((MemoryJob, int) e)
        {
            Grow();
            _ring[(_head + _count) & (_ring.Length - 1)] = e;
            _count++;
        }

        private void PushFront((MemoryJob, int) e)
        {
            Grow();
            _head = (_head - 1) & (_ring.Length - 1);
            _ring[_head] = e;
            _count++;
        }

        private void Grow()
        {
            if (_count < _ring.Length) return;
            var bigger = new (MemoryJob, int)[_ring.Length * 2];
            for (var i = 0; i < _count; i++) bigger[i] = At(i);
            _ring = bigger;
            _head = 0;
        }
    }
}
