using Gantry.Core.Options;

namespace Gantry.Core.Jobs;

/// <summary>
/// The range a time field of a request may take (delay, timeout, wait), and the one message every front gives when a
/// value is outside it: in seconds, as the API and the CLI take them, with days or hours for large values, never a
/// TimeSpan's <c>d.hh:mm:ss</c>. The HTTP API checks the JSON number against the same range before it becomes a
/// <see cref="TimeSpan"/> (1e12 seconds does not fit in one), so <c>"delay": 1e12</c> and a TimeSpan from the SDK get
/// the same answer.
/// </summary>
/// <param name="Min">The smallest value allowed.</param>
/// <param name="Max">The largest value allowed.</param>
/// <param name="Setting">The configuration key <paramref name="Max"/> comes from, named in the message; null for a fixed limit.</param>
public sealed record TimeRange(TimeSpan Min, TimeSpan Max, string? Setting = null)
{
    /// <summary>How far ahead a job may be scheduled (<c>delay</c>, <c>run_at</c>): see <see cref="JobLimits.MaxScheduleAheadDays"/>.</summary>
    public static TimeRange Delay { get; } = new(TimeSpan.Zero, JobLimits.MaxScheduleAhead);

    /// <summary>A job's lease length (<c>timeout</c>): from <see cref="JobLimits.MinTimeoutSeconds"/> to the configured ceiling.</summary>
    public static TimeRange Timeout(JobLimits limits) =>
        new(TimeSpan.FromSeconds(JobLimits.MinTimeoutSeconds), limits.MaxTimeout, "Gantry:Limits:MaxTimeout");

    /// <summary>A long poll (<c>wait</c> of a fetch or a submit, <c>timeout</c> of a job wait): up to the configured ceiling.</summary>
    public static TimeRange Wait(JobLimits limits) => new(TimeSpan.Zero, limits.MaxWait, "Gantry:Limits:MaxWait");

    /// <summary>A number of seconds from a request, checked before it is made a <see cref="TimeSpan"/>.</summary>
    public TimeSpan? FromSeconds(double? seconds, string field)
    {
        if (seconds is not { } s) return null;
        if (!double.IsFinite(s) || s < Min.TotalSeconds || s > Max.TotalSeconds) throw OutOfRange(field, s);
        return TimeSpan.FromSeconds(s);
    }

    /// <summary>Returns <paramref name="value"/> when it is in the range; throws the range's message otherwise.</summary>
    public TimeSpan Check(TimeSpan value, string field) =>
        value < Min || value > Max ? throw OutOfRange(field, value.TotalSeconds) : value;

    /// <summary>"delay: delay must be between 0 and 315360000 seconds (3650 days); got 1000000000000."</summary>
    public GantryException OutOfRange(string field, double got)
    {
        // The field's own name reads better inside the sentence than its path (jobs[3].delay).
        var name = field[(field.LastIndexOf('.') + 1)..];
        var notes = new[] { Durations.Human(Max), Setting ?? "" }.Where(n => n.Length > 0).ToList();
        var extra = notes.Count == 0 ? "" : $" ({string.Join(", ", notes)})";
        return GantryException.Invalid(field,
            $"{name} must be between {Durations.Number(Min.TotalSeconds)} and {Durations.Number(Max.TotalSeconds)} seconds{extra}; got {Durations.Number(got)}.");
    }
}
