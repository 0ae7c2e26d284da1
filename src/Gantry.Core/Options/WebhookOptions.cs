namespace Gantry.Core.Options;

/// <summary>Outbound webhooks: <c>Gantry:Webhooks</c>. Deliveries are jobs, so their retries follow <c>Gantry:Retry</c>
/// (exponential backoff) up to <see cref="MaxAttempts"/>.</summary>
public sealed class WebhookOptions
{
    /// <summary>Defaults to 10 seconds per POST: a receiver should answer quickly and do its work later; a slower one
    /// counts as a failed attempt and is retried.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Defaults to 10 attempts per message: with the default backoff (<c>Gantry:Retry</c>: 2 s doubling, capped at 1
    /// hour) the nine waits add up to about 17 minutes, enough for a receiver's restart or a short outage, before the message is dead and the
    /// webhook moves on.</summary>
    public const int DefaultMaxAttempts = 10;

    /// <summary>Defaults to 2048 characters for a webhook URL: what browsers and proxies reliably carry.</summary>
    public const int DefaultMaxUrlLength = 2048;

    /// <summary>Defaults to 20 recent deliveries in <c>GET /api/webhooks/{name}</c>: enough to see a run of failures.</summary>
    public const int DefaultHistoryCount = 20;

    /// <summary>Defaults to 30 seconds between looks at the store for webhooks and messages this server was not told
    /// about (another server's PUT; a lost notification). Publishes on any server wake deliveries at once.</summary>
    public static readonly TimeSpan DefaultRescanInterval = TimeSpan.FromSeconds(30);

    /// <summary>Defaults to 1024 bytes of a failed answer's body kept in the delivery's error details.</summary>
    public const int DefaultMaxErrorBodyBytes = 1024;

    /// <summary>Defaults to 30 seconds on top of <see cref="Timeout"/> for a delivery job's lease: the message's read, the
    /// signature and the reports around the POST. A server killed mid-delivery has its job taken back (and POSTed again)
    /// once this lease ends, so a shorter margin resumes sooner after a crash but risks a slow store's report arriving
    /// after the lease was taken back (a repeated POST).</summary>
    public static readonly TimeSpan DefaultLeaseMargin = TimeSpan.FromSeconds(30);

    public TimeSpan Timeout { get; set; } = DefaultTimeout;
    public int MaxAttempts { get; set; } = DefaultMaxAttempts;
    public int MaxUrlLength { get; set; } = DefaultMaxUrlLength;
    public int HistoryCount { get; set; } = DefaultHistoryCount;
    public TimeSpan RescanInterval { get; set; } = DefaultRescanInterval;
    public int MaxErrorBodyBytes { get; set; } = DefaultMaxErrorBodyBytes;
    public TimeSpan LeaseMargin { get; set; } = DefaultLeaseMargin;

    /// <summary>Hosts a webhook may target (host names, <c>*.example.com</c>, IP addresses or CIDR networks). Empty (the
    /// default): any host not denied. Gantry's own listening ports on this machine are refused whatever this says.</summary>
    public List<string> AllowHosts { get; set; } = [];

    /// <summary>Hosts a webhook may not target, in the same forms; checked before <see cref="AllowHosts"/>. Empty by default.</summary>
    public List<string> DenyHosts { get; set; } = [];

    internal void Validate(List<string> errors, int maxAttemptsCeiling)
    {
        void Range(string key, double value, double min, double max)
        {
            if (value < min || value > max || double.IsNaN(value)) errors.Add($"Gantry:Webhooks:{key} must be between {min} and {max} (got {value}).");
        }
        void Span(string key, TimeSpan value, TimeSpan min, TimeSpan max)
        {
            if (value < min || value > max) errors.Add($"Gantry:Webhooks:{key} must be between {min} and {max} (got {value}).");
        }
        Span("Timeout", Timeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10));
        Range("MaxAttempts", MaxAttempts, 1, maxAttemptsCeiling);
        Range("MaxUrlLength", MaxUrlLength, 16, 65_536);
        Range("HistoryCount", HistoryCount, 0, Jobs.JobQuery.MaxLimit);
        Span("RescanInterval", RescanInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        Range("MaxErrorBodyBytes", MaxErrorBodyBytes, 0, 1024 * 1024);
        Span("LeaseMargin", LeaseMargin, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        for (var i = 0; i < AllowHosts.Count; i++)
            if (Webhooks.HostRule.Check(AllowHosts[i]) is { } problem) errors.Add($"Gantry:Webhooks:AllowHosts:{i}: {problem}");
        for (var i = 0; i < DenyHosts.Count; i++)
            if (Webhooks.HostRule.Check(DenyHosts[i]) is { } problem) errors.Add($"Gantry:Webhooks:DenyHosts:{i}: {problem}");
    }
}
