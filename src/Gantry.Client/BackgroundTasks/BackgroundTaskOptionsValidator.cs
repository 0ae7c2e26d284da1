using Microsoft.Extensions.Options;

namespace Gantry.Client.BackgroundTasks;

/// <summary>
/// Checks every queue's options when the host starts (registered with <c>ValidateOnStart</c>), so a bad value stops
/// the app at once with a message naming the option, instead of surfacing as an odd channel error on the first enqueue.
/// </summary>
internal sealed class BackgroundTaskOptionsValidator : IValidateOptions<BackgroundTaskOptions>
{
    /// <summary>The longest delay a timer (and so the grace period's Task.Delay) accepts: about 49.7 days.</summary>
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    public ValidateOptionsResult Validate(string? name, BackgroundTaskOptions options)
    {
        var queue = BackgroundTaskQueueNames.FromOptionsName(name);
        var where = $"AddGantryBackgroundTasks({(queue == BackgroundTaskOptions.DefaultQueueName ? "" : $"\"{queue}\", ")}o => …)";
        var failures = new List<string>();

        if (options.Capacity < 1)
            failures.Add($"Background task queue '{queue}': BackgroundTaskOptions.Capacity must be at least 1 (was {options.Capacity}). " +
                         $"Set o.Capacity in {where}; the default is {BackgroundTaskOptions.DefaultCapacity}.");
        if (options.Consumers < 1)
            failures.Add($"Background task queue '{queue}': BackgroundTaskOptions.Consumers must be at least 1 (was {options.Consumers}). " +
                         $"Set o.Consumers in {where}; the default is {BackgroundTaskOptions.DefaultConsumers}.");
        if (!Enum.IsDefined(options.FullMode))
            failures.Add($"Background task queue '{queue}': BackgroundTaskOptions.FullMode must be Wait or Reject (was {(int)options.FullMode}). " +
                         $"Set o.FullMode in {where}.");
        if (options.ShutdownGracePeriod < TimeSpan.Zero)
            failures.Add($"Background task queue '{queue}': BackgroundTaskOptions.ShutdownGracePeriod cannot be negative (was {options.ShutdownGracePeriod}). " +
                         $"Set o.ShutdownGracePeriod in {where}; zero cancels at once, the default is {BackgroundTaskOptions.DefaultShutdownGracePeriod}.");

        if (options.ShutdownGracePeriod > MaxTimerDelay)
            failures.Add($"Background task queue '{queue}': BackgroundTaskOptions.ShutdownGracePeriod must be at most {MaxTimerDelay} (was {options.ShutdownGracePeriod}), " +
                         $"the longest a timer can wait; the host's own shutdown timeout ends the grace period anyway. Set o.ShutdownGracePeriod in {where}.");

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
