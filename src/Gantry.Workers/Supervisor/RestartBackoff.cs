namespace Gantry.Workers.Supervisor;

/// <summary>How long a crashed child's slot waits before the next start: doubling from <see cref="Initial"/> up to
/// <see cref="Max"/>, back to <see cref="Initial"/> once a child has run <see cref="HealthyAfter"/>. A child that dies
/// at start (a bad handler, the server unreachable) so costs a start a minute, not a busy loop.</summary>
internal static class RestartBackoff
{
    /// <summary>Defaults to 1 second before the first restart: quick for a one-off crash.</summary>
    public static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    /// <summary>Defaults to 1 minute at most between restarts.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromMinutes(1);
    /// <summary>Defaults to 1 minute: a child that ran that long was healthy, so its crash starts the backoff afresh.</summary>
    public static readonly TimeSpan HealthyAfter = TimeSpan.FromMinutes(1);

    public static TimeSpan Next(TimeSpan current) => current * 2 > Max ? Max : current * 2;
}
