namespace Gantry.Core.Memory;

/// <summary>
/// Ids of memory-lane jobs: at or above 2^52, where no stored job's id ever gets (a store's sequence would need four
/// quadrillion jobs), and below 2^53, so they stay exact in JavaScript numbers. An id alone says which lane owns a job.
/// </summary>
/// <remarks>A server starts numbering at 2^52 + (its start time in Unix seconds × 2^20): a restarted server never hands
/// out an id its earlier run did unless that run made more than a million memory jobs per second of uptime, so an id a
/// client kept from before the restart names nothing rather than another job.</remarks>
public static class MemoryJobIds
{
    /// <summary>The first memory-lane id: 4503599627370496.</summary>
    public const long First = 1L << 52;

    /// <summary>One past the last id a JavaScript number holds exactly.</summary>
    public const long End = 1L << 53;

    private const int IdsPerSecondShift = 20;

    public static bool IsMemory(long id) => id >= First;

    public static long FirstAfterStart(DateTimeOffset start)
    {
        var seconds = Math.Max(0, start.ToUnixTimeSeconds());
        var offset = (seconds << IdsPerSecondShift) % (End - First - (1L << 40)); // leaves room to count for years
        return First + offset;
    }
}
