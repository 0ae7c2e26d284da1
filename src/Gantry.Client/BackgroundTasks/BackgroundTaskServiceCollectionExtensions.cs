using System.Diagnostics.Metrics;
using Gantry.Client.BackgroundTasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gantry.Client;

/// <summary>
/// Registers in-process background task queues: <c>services.AddGantryBackgroundTasks(o => o.Consumers = 4)</c>, then
/// inject <see cref="IBackgroundTaskQueue"/>. A named queue (its own capacity and consumers, say for slow reports that
/// must not hold up quick e-mails) is a keyed service: <c>[FromKeyedServices("reports")] IBackgroundTaskQueue</c>.
/// Time comes from a registered <see cref="TimeProvider"/> if there is one (tests), else the system clock.
/// </summary>
public static class BackgroundTaskServiceCollectionExtensions
{
    /// <summary>Registers the default queue (<see cref="BackgroundTaskOptions.DefaultQueueName"/>) as
    /// <see cref="IBackgroundTaskQueue"/>. Calling it again only adds <paramref name="configure"/>.</summary>
    public static IServiceCollection AddGantryBackgroundTasks(this IServiceCollection services, Action<BackgroundTaskOptions>? configure = null) =>
        services.AddGantryBackgroundTasks(BackgroundTaskOptions.DefaultQueueName, configure);

    /// <summary>Registers the queue <paramref name="queueName"/> as a keyed <see cref="IBackgroundTaskQueue"/> (the default
    /// queue's name also registers it unkeyed). Calling it again for the same name only adds <paramref name="configure"/>.</summary>
    public static IServiceCollection AddGantryBackgroundTasks(this IServiceCollection services, string queueName, Action<BackgroundTaskOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (string.IsNullOrWhiteSpace(queueName))
            throw new ArgumentException("A background task queue needs a name (or call AddGantryBackgroundTasks(o => …) for the default queue).", nameof(queueName));

        var optionsName = BackgroundTaskQueueNames.ToOptionsName(queueName);
        var options = services.AddOptions<BackgroundTaskOptions>(optionsName);
        if (configure is not null) options.Configure(configure);
        if (services.Any(d => d.ServiceType == typeof(BackgroundTaskQueueRegistration) &&
                              ((BackgroundTaskQueueRegistration?)d.ImplementationInstance)?.Name == queueName))
            return services;

        services.AddSingleton(new BackgroundTaskQueueRegistration(queueName));
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BackgroundTaskOptions>, BackgroundTaskOptionsValidator>());
        services.TryAddSingleton(sp => new BackgroundTaskMetrics(sp.GetService<IMeterFactory>()));

        services.AddKeyedSingleton(queueName, (sp, _) => new BackgroundTaskQueue(
            queueName,
            sp.GetRequiredService<IOptionsMonitor<BackgroundTaskOptions>>().Get(optionsName),
            sp.GetRequiredService<BackgroundTaskMetrics>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddKeyedSingleton<IBackgroundTaskQueue>(queueName, (sp, _) => sp.GetRequiredKeyedService<BackgroundTaskQueue>(queueName));
        if (queueName == BackgroundTaskOptions.DefaultQueueName)
            services.AddSingleton<IBackgroundTaskQueue>(sp => sp.GetRequiredKeyedService<BackgroundTaskQueue>(queueName));

        // Not AddHostedService: it de-duplicates by type, and each queue has a processor of its own.
        services.AddSingleton<IHostedService>(sp => new BackgroundTaskProcessor(
            sp.GetRequiredKeyedService<BackgroundTaskQueue>(queueName),
            sp.GetRequiredService<IServiceScopeFactory>(),
            sp.GetRequiredService<BackgroundTaskMetrics>(),
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(LogCategory)));
        return services;
    }

    /// <summary>The logger category of every queue's messages (the queue's name is in each message).</summary>
    public const string LogCategory = "Gantry.BackgroundTasks";
}

/// <summary>Marks a queue name as registered, so a second call for it adds configuration but no second processor.</summary>
internal sealed record BackgroundTaskQueueRegistration(string Name);
