namespace Gantry.Core.Jobs;

/// <summary>Queue order: highest priority, then earliest run_at, then lowest id.</summary>
public sealed class LeaseOrder : IComparer<LeasedJob>
{
    public static readonly LeaseOrder Instance = new();

    public int Compare(LeasedJob? x, LeasedJob? y)
    {
        if (x is null || y is null) return x is null ? (y is null ? 0 : -1) : 1;
        var byPriority = y.Priority.CompareTo(x.Priority);
        if (byPriority != 0) return byPriority;
        var byRunAt = x.RunAt.CompareTo(y.RunAt);
        return byRunAt != 0 ? byRunAt : x.Id.CompareTo(y.Id);
    }
}
