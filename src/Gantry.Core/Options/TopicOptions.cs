namespace Gantry.Core.Options;

/// <summary>Topics, consumer groups and live subscribers: <c>Gantry:Topics</c>. A topic's own settings (PUT
/// /api/topics/{topic}) override the retention and size defaults here.</summary>
public sealed class TopicOptions
{
    /// <summary>Defaults to the newest 1,000,000 messages per topic: a day of a busy topic's history for resuming clients
    /// and replays, bounded so an unwatched topic cannot fill the disk.</summary>
    public const long DefaultRetainCount = 1_000_000;

    /// <summary>Defaults to 7 days: a consumer group that was down over a weekend still finds its messages.</summary>
    public static readonly TimeSpan DefaultRetainAge = TimeSpan.FromDays(7);

    /// <summary>Defaults to 1 MiB, as job payloads: messages carry events and references, not blobs.</summary>
    public const int DefaultMaxMessageBytes = 1024 * 1024;

    /// <summary>Defaults to 2 minutes, as NATS JetStream's duplicate window: long enough for a publisher's retries after a
    /// timeout, short enough that the check stays an index probe over recent messages.</summary>
    public static readonly TimeSpan DefaultDedupWindow = TimeSpan.FromMinutes(2);

    /// <summary>Defaults to 200 characters for a message id: room for a UUID with a prefix or an outbox key.</summary>
    public const int DefaultMaxMessageIdLength = 200;

    /// <summary>Defaults to 64 headers per message, each name and value at most <see cref="DefaultMaxHeaderLength"/>.</summary>
    public const int DefaultMaxHeaders = 64;

    /// <summary>Defaults to 4096 characters per header name or value.</summary>
    public const int DefaultMaxHeaderLength = 4096;

    /// <summary>Defaults to 30 seconds for a group member to ack or nack a delivery before it goes to another member.</summary>
    public static readonly TimeSpan DefaultAckTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Defaults to 5 deliveries of one message before the group dead-letters it: enough for transient faults,
    /// few enough that a poison message stops wasting members' time within minutes.</summary>
    public const int DefaultMaxDeliveries = 5;

    /// <summary>Defaults to 1000 messages per read (poll, SSE catch-up page, group fetch).</summary>
    public const int DefaultMaxReadSize = 1000;

    /// <summary>Defaults to 1000 messages waiting per live subscriber: one that has more waiting when the next page of
    /// messages arrives is cut off with its resume offset (or, if it asked for it, loses the oldest). Its buffer holds
    /// this plus one page (<see cref="MaxReadSize"/>), so a burst reaches subscribers that keep up; the messages
    /// themselves are shared by every subscriber.</summary>
    public const int DefaultSubscriberBuffer = 1000;

    /// <summary>Defaults to 10,000 live subscribers on this server: each holds a connection and a buffer.</summary>
    public const int DefaultMaxSubscribers = 10_000;

    /// <summary>Defaults to 15 seconds between SSE keep-alive comments: under the 30-60 s idle cut-offs of common proxies.</summary>
    public static readonly TimeSpan DefaultKeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>Defaults to 2 seconds, the reconnect delay SSE clients are told (<c>retry:</c>).</summary>
    public static readonly TimeSpan DefaultSseRetry = TimeSpan.FromSeconds(2);

    /// <summary>Defaults to 10 seconds for a cut-off client to take its last event before its connection is dropped.</summary>
    public static readonly TimeSpan DefaultSlowClientGrace = TimeSpan.FromSeconds(10);

    /// <summary>Defaults to the newest 10,000 messages per memory topic (unless the topic sets retain_count): a memory
    /// topic serves live subscribers and short reconnects, not history.</summary>
    public const long DefaultMemoryRetainCount = 10_000;

    /// <summary>Defaults to 64 MiB of message bodies per memory topic, whatever its count: the bound on what one memory
    /// topic can take of the server's memory.</summary>
    public const long DefaultMemoryMaxBytes = 64L * 1024 * 1024;

    public long RetainCount { get; set; } = DefaultRetainCount;
    public long MemoryRetainCount { get; set; } = DefaultMemoryRetainCount;
    public long MemoryMaxBytes { get; set; } = DefaultMemoryMaxBytes;
    public TimeSpan RetainAge { get; set; } = DefaultRetainAge;
    public int MaxMessageBytes { get; set; } = DefaultMaxMessageBytes;
    public TimeSpan DedupWindow { get; set; } = DefaultDedupWindow;
    public int MaxMessageIdLength { get; set; } = DefaultMaxMessageIdLength;
    public int MaxHeaders { get; set; } = DefaultMaxHeaders;
    public int MaxHeaderLength { get; set; } = DefaultMaxHeaderLength;
    public TimeSpan AckTimeout { get; set; } = DefaultAckTimeout;
    public int MaxDeliveries { get; set; } = DefaultMaxDeliveries;
    public int MaxReadSize { get; set; } = DefaultMaxReadSize;
    public int SubscriberBuffer { get; set; } = DefaultSubscriberBuffer;
    public int MaxSubscribers { get; set; } = DefaultMaxSubscribers;
    public TimeSpan KeepAlive { get; set; } = DefaultKeepAlive;
    public TimeSpan SseRetry { get; set; } = DefaultSseRetry;
    public TimeSpan SlowClientGrace { get; set; } = DefaultSlowClientGrace;

    internal void Validate(List<string> errors)
    {
        void Range(string key, double value, double min, double max)
        {
            if (value < min || value > max || double.IsNaN(value)) errors.Add($"Gantry:Topics:{key} must be between {min} and {max} (got {value}).");
        }
        void Span(string key, TimeSpan value, TimeSpan min, TimeSpan max)
        {
            if (value < min || value > max) errors.Add($"Gantry:Topics:{key} must be between {min} and {max} (got {value}).");
        }
        Range("RetainCount", RetainCount, 1, 1e12);
        Range("MemoryRetainCount", MemoryRetainCount, 1, 100_000_000);
        Range("MemoryMaxBytes", MemoryMaxBytes, 1024, 64L * 1024 * 1024 * 1024);
        Span("RetainAge", RetainAge, TimeSpan.FromSeconds(1), TimeSpan.FromDays(3650));
        Range("MaxMessageBytes", MaxMessageBytes, 1, 256 * 1024 * 1024);
        Span("DedupWindow", DedupWindow, TimeSpan.Zero, TimeSpan.FromDays(7));
        Range("MaxMessageIdLength", MaxMessageIdLength, 1, 4096);
        Range("MaxHeaders", MaxHeaders, 0, 10_000);
        Range("MaxHeaderLength", MaxHeaderLength, 1, 1024 * 1024);
        Span("AckTimeout", AckTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Range("MaxDeliveries", MaxDeliveries, 1, 1000);
        Range("MaxReadSize", MaxReadSize, 1, 100_000);
        Range("SubscriberBuffer", SubscriberBuffer, 1, 1_000_000);
        Range("MaxSubscribers", MaxSubscribers, 1, 10_000_000);
        Span("KeepAlive", KeepAlive, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Span("SseRetry", SseRetry, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        Span("SlowClientGrace", SlowClientGrace, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
    }
}
