using Gantry.Core.Engine;
using Gantry.Core.Jobs;
using Gantry.Core.Maintenance;
using Gantry.Core.Memory;
using Gantry.Core.Queues;
using Gantry.Core.Options;
using Gantry.Core.Recurring;
using Gantry.Cron;
using Gantry.Hosting.Settings;
using Gantry.Core.Stats;
using Gantry.Core.Storage;
using Gantry.Core.Webhooks;
using Gantry.Hosting.Webhooks;
using Gantry.Storage.Postgres;
using Gantry.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gantry.Hosting;

/// <summary>
/// The engine without any front: options, the configured store, the job log and its statistics, and the housekeeping
/// services. <see cref="GantryHostingExtensions.AddGantry"/> calls it and adds the fronts; a process that only needs
/// the engine (a worker service enqueueing in-process, say) may call it alone.
/// </summary>
public static class GantryServiceCollectionExtensions
{
    public static IServiceCollection AddGantryEngine(this IServiceCollection services, IConfiguration gantrySection)
    {
        // Before any binding: unknown and retired keys, and values their setting cannot take, in the whole section.
        services.TryAddSingleton(sp => new GantrySettingsCheck(gantrySection, sp.GetService<IConfiguration>()));
        services.AddOptions<GantryServerOptions>().CheckedFirst().Bind(gantrySection).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GantryServerOptions>, GantryServerOptionsValidator>();
        services.AddOptions<GantryEngineOptions>().CheckedFirst().Bind(gantrySection).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GantryEngineOptions>, SelfValidatingOptionsValidator<GantryEngineOptions>>();
        services.AddOptions<SqliteStoreOptions>().CheckedFirst().Bind(gantrySection.GetSection("Sqlite"))
            .PostConfigure<IOptions<GantryServerOptions>>((o, server) => o.DataDirectory = server.Value.Data);
        services.AddOptions<PostgresStoreOptions>().CheckedFirst().Bind(gantrySection.GetSection("Postgres"))
            .PostConfigure<IOptions<GantryServerOptions>>((o, server) => o.ConnectionString = server.Value.Store ?? "");

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<JobSignals>();
        services.TryAddSingleton(sp => new RetryPolicy(sp.GetRequiredService<IOptions<GantryEngineOptions>>().Value.Retry));
        services.TryAddSingleton(sp => new FailureRules(sp.GetRequiredService<RetryPolicy>(),
            sp.GetRequiredService<IOptions<GantryEngineOptions>>().Value.Limits));
        services.TryAddSingleton<INotifier>(sp => sp.GetRequiredService<JobSignals>());
        services.TryAddSingleton<IStore>(sp => sp.GetRequiredService<IOptions<GantryServerOptions>>().Value.UsesPostgres
            ? ActivatorUtilities.CreateInstance<PostgresStore>(sp)
            : ActivatorUtilities.CreateInstance<SqliteStore>(sp));
        services.TryAddSingleton(sp => sp.GetRequiredService<IStore>().Jobs);
        services.TryAddSingleton(sp => sp.GetRequiredService<IStore>().Queues);
        services.TryAddSingleton(sp => sp.GetRequiredService<IStore>().Recurring);
        services.TryAddSingleton<MemoryLane>();
        services.TryAddSingleton<QueueSettings>();
        // The job log and what it feeds: per-queue statistics (/api/stats, /metrics) and the Gantry.Jobs meter.
        services.AddMetrics();
        services.AddOptions<StatsOptions>().CheckedFirst().Bind(gantrySection.GetSection("Stats")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StatsOptions>, SelfValidatingOptionsValidator<StatsOptions>>();
        services.TryAddSingleton<JobStats>();
        services.TryAddSingleton<JobMetrics>();
        services.AddSingleton<IJobLogObserver>(sp => sp.GetRequiredService<JobStats>());
        services.AddSingleton<IJobLogObserver>(sp => sp.GetRequiredService<JobMetrics>());
        services.TryAddSingleton<JobLog>();
        services.TryAddSingleton<JobEngine>();
        services.TryAddSingleton<Gantry.Core.Topics.TopicLog>();
        services.TryAddSingleton<Gantry.Core.Topics.TopicEngine>();
        services.TryAddSingleton<Gantry.Core.Topics.TopicHub>();
        services.TryAddSingleton<JobMaintenance>();
        services.TryAddSingleton<ICronParser, QuartzCronParser>();
        services.TryAddSingleton<RecurringSchedules>();
        services.TryAddSingleton<StoreHealth>();
        // Webhooks: deliveries are jobs on gantry.webhooks.{name}, POSTed by the dispatcher's in-process workers.
        services.TryAddSingleton<IOwnPorts, ServerOwnPorts>();
        services.TryAddSingleton(sp => new WebhookAddressPolicy(
            sp.GetRequiredService<IOptions<GantryEngineOptions>>().Value.Webhooks, sp.GetRequiredService<IOwnPorts>()));
        services.TryAddSingleton<WebhookAddressGuard>();
        services.AddHttpClient(HttpWebhookSender.ClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => HttpWebhookSender.CreateHandler(sp.GetRequiredService<WebhookAddressGuard>()));
        services.TryAddSingleton<IWebhookSender, HttpWebhookSender>();
        services.TryAddSingleton<WebhookEngine>();
        services.TryAddSingleton<WebhookDelivery>();

        // Order matters: the store opens and migrates before anything that uses it starts.
        services.AddHostedService<StoreStartupService>();
        services.AddHostedService<EngineStopService>();
        services.AddHostedService<RecurringConfigurationService>();
        services.AddHostedService<SchedulerService>();
        services.AddHostedService<LeaseRescueService>();
        services.AddHostedService<PruneService>();
        services.AddHostedService<TopicPruneService>();
        services.AddHostedService<RecurringService>();
        services.AddHostedService<WebhookDispatcher>();
        services.AddHostedService<StatsMonitor>();
        return services;
    }

    /// <summary>Runs <see cref="GantrySettingsCheck"/> before the options' other configuration (options configure in the
    /// order registered), so a bad key or value is reported in the user's terms before the binder meets it.</summary>
    internal static OptionsBuilder<T> CheckedFirst<T>(this OptionsBuilder<T> options) where T : class =>
        options.Configure<GantrySettingsCheck>((_, check) => check.ThrowIfInvalid());
}
