using Gantry.Core;
using Gantry.Core.Recurring;
using Quartz;

namespace Gantry.Cron;

/// <summary><see cref="ICronParser"/> on Quartz.NET's <see cref="CronExpression"/>: five fields are read as crontab
/// (<see cref="CronFormat.Unix"/>, which renumbers the days of the week), six or seven as Quartz's own form.</summary>
public sealed class QuartzCronParser : ICronParser
{
    /// <summary>The crontab macros, as the five-field expressions they stand for.</summary>
    private static readonly Dictionary<string, string> Macros = new(StringComparer.OrdinalIgnoreCase)
    {
        ["@yearly"] = "0 0 1 1 *",
        ["@annually"] = "0 0 1 1 *",
        ["@monthly"] = "0 0 1 * *",
        ["@weekly"] = "0 0 * * 0",
        ["@daily"] = "0 0 * * *",
        ["@midnight"] = "0 0 * * *",
        ["@hourly"] = "0 * * * *",
    };

    public CronSchedule Parse(string expression, string timeZone)
    {
        var zone = FindZone(timeZone);
        var text = Macros.TryGetValue(expression.Trim(), out var macro) ? macro : expression.Trim();
        var fields = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        if (text.StartsWith('@'))
            throw GantryException.Invalid("cron", $"'{expression}' is not a known macro: use @yearly, @monthly, @weekly, @daily or @hourly.");
        if (fields is < 5 or > 7)
            throw GantryException.Invalid("cron",
                $"'{expression}' has {fields} fields; write 5 (minute hour day month weekday), or 6-7 with seconds first (and a year last).");
        try
        {
            var parsed = fields == 5 ? CronExpression.Parse(text, CronFormat.Unix) : CronExpression.Parse(text);
            return new QuartzCronSchedule(parsed.WithTimeZone(zone));
        }
        catch (FormatException ex)
        {
            throw GantryException.Invalid("cron", $"'{expression}' is not a valid cron expression: {ex.Message}");
        }
    }

    private static TimeZoneInfo FindZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw GantryException.Invalid("time_zone", $"'{id}' is not a time zone this server knows; use an IANA id such as Europe/Berlin or UTC.");
        }
    }

    private sealed class QuartzCronSchedule(CronExpression expression) : CronSchedule
    {
        public override DateTimeOffset? NextAfter(DateTimeOffset instant) => expression.GetNextValidTimeAfter(instant);
    }
}
