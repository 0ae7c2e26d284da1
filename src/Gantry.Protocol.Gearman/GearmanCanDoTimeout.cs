using System.Buffers.Text;

namespace Gantry.Protocol.Gearman;

/// <summary>How the number in a CAN_DO_TIMEOUT packet is read.</summary>
public enum GearmanTimeoutUnit : byte
{
    /// <summary>Below <see cref="GearmanCanDoTimeout.SecondsBelow"/> the number is seconds, from there on milliseconds.</summary>
    Auto,
    /// <summary>Always seconds: what gearmand before 1.1.19 read, and what clients written for it send.</summary>
    Seconds,
    /// <summary>Always milliseconds: what gearmand 1.1.19 and later read.</summary>
    Milliseconds,
}

/// <summary>
/// The second field of CAN_DO_TIMEOUT: how long the worker may take over a job of the function. Its unit was never
/// written down: gearmand before 1.1.19 read seconds, and the clients written for it send seconds (Perl's
/// Gearman::Worker, PHP's net_gearman); gearmand 1.1.19 and later read milliseconds (gearmand issue 196), and libgearman
/// sends milliseconds. The two can be told apart: gearmand 1.1.19+ raises any timeout below 1000 ms to 1000 ms, so no
/// client written for it means a number below 1000, and a seconds client's number below 1000 is up to 16 minutes.
/// </summary>
public static class GearmanCanDoTimeout
{
    /// <summary>1000: in <see cref="GearmanTimeoutUnit.Auto"/>, a number below this is seconds. gearmand 1.1.19+ floors
    /// timeouts at 1000 ms, so a milliseconds client cannot mean less; seconds clients that mean 1000 s or more (16.7
    /// minutes) need <see cref="GearmanTimeoutUnit.Seconds"/>.</summary>
    public const int SecondsBelow = 1000;

    /// <summary>One day: the longest timeout kept. A job that may run longer has no useful limit, and a number that
    /// large is more likely a unit mistake than a wish.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(1);

    /// <summary>
    /// The timeout the field asks for, in <paramref name="unit"/>; <see cref="TimeSpan.Zero"/> (no timeout) when the field
    /// holds no positive number, as gearmand, which reads it with <c>atoi</c>, treats 0 and text. A fraction is kept
    /// (Perl sends <c>1.5</c> as it was given); anything past the number is ignored, as <c>atoi</c> does.
    /// </summary>
    public static TimeSpan Read(ReadOnlySpan<byte> field, GearmanTimeoutUnit unit)
    {
        if (!Utf8Parser.TryParse(field, out double value, out _, 'F') || !(value > 0)) return TimeSpan.Zero;
        var seconds = unit switch
        {
            GearmanTimeoutUnit.Seconds => value,
            GearmanTimeoutUnit.Milliseconds => value / 1000,
            _ => value < SecondsBelow ? value : value / 1000,
        };
        // At least a millisecond: a positive number asked for a limit, and zero would mean none.
        return seconds >= Longest.TotalSeconds ? Longest : TimeSpan.FromMilliseconds(Math.Max(1, Math.Round(seconds * 1000)));
    }

    /// <summary>The setting's words (<c>auto</c>, <c>seconds</c>, <c>milliseconds</c>, any case) as a unit.</summary>
    public static bool TryParseUnit(string? text, out GearmanTimeoutUnit unit)
    {
        unit = GearmanTimeoutUnit.Auto;
        switch (text?.Trim().ToLowerInvariant())
        {
            case "auto":
                return true;
            case "seconds":
                unit = GearmanTimeoutUnit.Seconds;
                return true;
            case "milliseconds":
                unit = GearmanTimeoutUnit.Milliseconds;
                return true;
            default:
                return false;
        }
    }
}
