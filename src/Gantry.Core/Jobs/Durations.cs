using System.Globalization;

namespace Gantry.Core.Jobs;

/// <summary>Durations written for people: seconds as plain numbers, large ones also in days or hours.</summary>
public static class Durations
{
    /// <summary>A count of seconds (or days, hours) as an invariant number with at most three decimals; huge values in
    /// exponent form (1E+300), so a message never carries 300 digits.</summary>
    public static string Number(double value) =>
        Math.Abs(value) < 1e15 ? value.ToString("0.###", CultureInfo.InvariantCulture) : value.ToString("0.###E+0", CultureInfo.InvariantCulture);

    /// <summary>"3650 days", "24 hours", "90 minutes"; empty when seconds say it best (under two minutes, or not a round figure).</summary>
    public static string Human(TimeSpan span)
    {
        if (span >= TimeSpan.FromDays(2) && span.Ticks % TimeSpan.TicksPerDay == 0) return Number(span.TotalDays) + " days";
        if (span >= TimeSpan.FromHours(2) && span.Ticks % TimeSpan.TicksPerHour == 0) return Number(span.TotalHours) + " hours";
        if (span >= TimeSpan.FromMinutes(2) && span.Ticks % TimeSpan.TicksPerMinute == 0) return Number(span.TotalMinutes) + " minutes";
        return "";
    }
}
