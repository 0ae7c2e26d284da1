namespace Gantry.Gearman;

/// <summary>
/// A ring-buffer double-ended queue of jobs: new jobs go to the back, jobs taken back from a worker that vanished go
/// to the front (they were first in line before). Cancelled jobs are left in place and skipped when they reach the
/// front, so cancelling never scans the queue.
/// </summary>
internal sealed class JobDeque
{
    private GearmanJob?[] _items = new GearmanJob?[16];
    private int _head;
    private int _count;

    public void PushBack(GearmanJob job)
    {
        Grow();
        _items[(_head + _count) & (_items.Length - 1)] = job;
        _count++;
    }

    public void PushFront(GearmanJob job)
    {
        Grow();
        _head = (_head - 1) & (_items.Length - 1);
        _items[_head] = job;
        _count++;
    }

    /// <summary>The first job still queued, dropping cancelled or reassigned entries on the way.</summary>
    public GearmanJob? PeekLive()
    {
        while (_count > 0)
        {
            var job = _items[_head]!;
            if (job.IsQueued) return job;
            Drop();
        }
        return null;
    }

    /// <summary>Removes the entry <see cref="PeekLive"/> returned.</summary>
    public void Drop()
    {
        _items[_head] = null;
        _head = (_head + 1) & (_items.Length - 1);
        _count--;
    }

    public IEnumerable<GearmanJob> Live()
    {
        for (var i = 0; i < _count; i++)
        {
            var job = _items[(_head + i) & (_items.Length - 1)]!;
            if (job.IsQueued) yield return job;
        }
    }

    private void Grow()
    {
        if (_count < _items.Length) return;
        var bigger = new GearmanJob?[_items.Length * 2];
        for (var i = 0; i < _count; i++) bigger[i] = _items[(_head + i) & (_items.Length - 1)];
        _items = bigger;
        _head = 0;
    }
}
