using Microsoft.Extensions.Options;

namespace Gantry.Client.BackgroundTasks;

/// <summary>
/// Maps queue names to options names: the default queue uses the unnamed options instance, so
/// <c>IOptions&lt;BackgroundTaskOptions&gt;</c> and <c>services.Configure&lt;BackgroundTaskOptions&gt;(…)</c> mean the
/// default queue, as they would for any other options type; a named queue's options carry the queue's name.
/// </summary>
internal static class BackgroundTaskQueueNames
{
    public static string ToOptionsName(string queue) =>
        queue == BackgroundTaskOptions.DefaultQueueName ? Options.DefaultName : queue;

    public static string FromOptionsName(string? optionsName) =>
        string.IsNullOrEmpty(optionsName) ? BackgroundTaskOptions.DefaultQueueName : optionsName;
}
