namespace Gantry.Core.Stats;

/// <summary>The per-queue statistics and the "falling behind" warning. Configuration: <c>Gantry:Stats</c>.</summary>
public sealed class StatsOptions : Options.ISelfValidatingOptions
{
    /// <summary>Defaults to 5 minutes of history per queue: long enough for a p99 over a few hundred jobs, short
    /// enough that it shows the present rather than the morning.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(5);

    /// <summary>Defaults to 1-minute buckets: the window slides a minute at a time (it covers between
    /// <see cref="Window"/> − 1 minute and <see cref="Window"/>, the newest bucket filling).</summary>
    public static readonly TimeSpan DefaultBucketWidth = TimeSpan.FromMinutes(1);

    /// <summary>Defaults to 30 seconds: a queue whose delay p95 stays above this is falling behind and wants workers.
    /// Jobs are for work that can wait a little; half a minute is where users of a web request notice.
    /// <see cref="TimeSpan.Zero"/> turns the warning off.</summary>
    public static readonly TimeSpan DefaultDelayWarning = TimeSpan.FromSeconds(30);

    /// <summary>Defaults to 1 minute above (or, to recover, at or below) the threshold before the state changes, so one
    /// burst does not raise the alarm and a p95 at the line does not flap.</summary>
    public static readonly TimeSpan DefaultDelayWarningPeriod = TimeSpan.FromMinutes(1);

    /// <summary>Defaults to 10 seconds between looks at every queue's delay (in memory, no store query).</summary>
    public static readonly TimeSpan DefaultCheckInterval = TimeSpan.FromSeconds(10);

    /// <summary>Defaults to forgetting a queue's figures an hour after its last job ended, when it has no unfinished job
    /// and no worker a front knows of: its window has been empty for 55 minutes by then, so only its totals since start
    /// go (a monitoring system reads the counter coming back from zero as a reset). Names used once, or by a client
    /// making up names, then cost nothing for long.</summary>
    public static readonly TimeSpan DefaultIdleExpiry = TimeSpan.FromHours(1);

    /// <summary>Defaults to figures for at most 10,000 queues (as many as the Gearman front knows function names): far
    /// more than a deployment names, and a bound on what a client making up queue names can take (a queue's figures
    /// are a few kilobytes). Past it, a queue new to the statistics gets none until idle queues are forgotten, which
    /// then happens as soon as their window is empty rather than after <see cref="IdleExpiry"/>; a warning says so.</summary>
    public const int DefaultMaxQueues = 10_000;

    /// <summary>Defaults to one look a minute for queues to forget (it lists the queues' counts from the store); at the
    /// <see cref="MaxQueues"/> limit, or with a shorter <see cref="IdleExpiry"/>, the looks come sooner.</summary>
    public static readonly TimeSpan DefaultExpiryCheckInterval = TimeSpan.FromMinutes(1);

    public TimeSpan Window { get; set; } = DefaultWindow;
    public TimeSpan BucketWidth { get; set; } = DefaultBucketWidth;
    public TimeSpan DelayWarning { get; set; } = DefaultDelayWarning;
    public TimeSpan DelayWarningPeriod { get; set; } = DefaultDelayWarningPeriod;
    public TimeSpan CheckInterval { get; set; } = DefaultCheckInterval;
    public TimeSpan IdleExpiry { get; set; } = DefaultIdleExpiry;
    public int MaxQueues { get; set; } = DefaultMaxQueues;

    /// <summary>How often the monitor looks for queues to forget when not at the limit.</summary>
    public TimeSpan ExpiryCheckInterval => IdleExpiry < DefaultExpiryCheckInterval ? IdleExpiry : DefaultExpiryCheckInterval;

    /// <summary>How many buckets the window holds.</summary>
    public int Buckets => (int)(Window.Ticks / BucketWidth.Ticks);

    public bool WarningEnabled => DelayWarning > TimeSpan.Zero;

    /// <summary>Every problem with these options, each naming its configuration key; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (BucketWidth < TimeSpan.FromSeconds(1) || BucketWidth > TimeSpan.FromHours(1))
            errors.Add($"Gantry:Stats:BucketWidth must be between 00:00:01 and 01:00:00 (got {BucketWidth}).");
        else if (Window < BucketWidth || Window > TimeSpan.FromDays(1) || Window.Ticks % BucketWidth.Ticks != 0 || Buckets > 1440)
            errors.Add($"Gantry:Stats:Window must be a whole number of buckets (Gantry:Stats:BucketWidth, {BucketWidth}), " +
                       $"at most 1440 of them and at most a day (got {Window}).");
        if (DelayWarning < TimeSpan.Zero || DelayWarning > TimeSpan.FromDays(1))
            errors.Add($"Gantry:Stats:DelayWarning must be between 00:00:00 (off) and 1.00:00:00 (got {DelayWarning}).");
        if (DelayWarningPeriod < TimeSpan.Zero || DelayWarningPeriod > TimeSpan.FromDays(1))
            errors.Add($"Gantry:Stats:DelayWarningPeriod must be between 00:00:00 and 1.00:00:00 (got {DelayWarningPeriod}).");
        if (CheckInterval < TimeSpan.FromMilliseconds(100) || CheckInterval > TimeSpan.FromHours(1))
            errors.Add($"Gantry:Stats:CheckInterval must be between 00:00:00.1 and 01:00:00 (got {CheckInterval}).");
        if (IdleExpiry < TimeSpan.FromSeconds(1) || IdleExpiry > TimeSpan.FromDays(30))
            errors.Add($"Gantry:Stats:IdleExpiry must be between 1 and 2592000 seconds (30 days) (got {IdleExpiry.TotalSeconds:0.###}).");
        if (MaxQueues is < 1 or > 10_000_000)
            errors.Add($"Gantry:Stats:MaxQueues must be between 1 and 10000000 (got {MaxQueues}).");
        return errors;
    }
}
