namespace Gantry.Testing;

/// <summary>Server settings that tests share. Each is a real configuration key the server reads, as a user would set it.</summary>
public static class TestSettings
{
    /// <summary>Loopback only, on a port the OS picks (the server reports it); and quiet logs.</summary>
    public static IReadOnlyDictionary<string, string?> Base { get; } = new Dictionary<string, string?>
    {
        ["Gantry:Urls"] = "http://127.0.0.1:0",
        ["Gantry:Gearman:Listen"] = "127.0.0.1:0",
        ["Gantry:Stomp:Listen"] = "127.0.0.1:0",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    /// <summary>Retries due almost at once and without jitter, and expired leases noticed quickly, so tests that go
    /// through retries and lease expiry finish fast; they still wait on conditions, never on these times.</summary>
    public static IReadOnlyDictionary<string, string?> QuickRetries { get; } = new Dictionary<string, string?>
    {
        ["Gantry:Retry:BaseDelay"] = "00:00:00.05",
        ["Gantry:Retry:MaxDelay"] = "00:00:00.2",
        ["Gantry:Retry:Jitter"] = "0",
        ["Gantry:Timings:LeaseCheckInterval"] = "00:00:00.1",
    };

    /// <summary>Pushes the slow safety-net poll out of reach, so a long poll or a wait that returns in time can only
    /// have been woken by the server's signals: the tests of those wake-ups can fail.</summary>
    public static IReadOnlyDictionary<string, string?> NoFallbackPoll { get; } = new Dictionary<string, string?>
    {
        ["Gantry:Timings:FallbackPollInterval"] = "00:10:00",
    };

    /// <summary>Later dictionaries win.</summary>
    public static Dictionary<string, string?> Merge(params IEnumerable<IReadOnlyDictionary<string, string?>?> parts)
    {
        var merged = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in parts)
        {
            if (part is null) continue;
            foreach (var (key, value) in part) merged[key] = value;
        }
        return merged;
    }
}
