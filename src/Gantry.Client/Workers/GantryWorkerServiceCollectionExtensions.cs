using Gantry.Client.Workers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gantry.Client;

/// <summary>Registers the worker host: <c>services.AddGantryWorker(o => …).AddHandler&lt;SendEmail&gt;("emails", concurrency: 4)</c>.</summary>
public static class GantryWorkerServiceCollectionExtensions
{
    public static GantryWorkerBuilder AddGantryWorker(this IServiceCollection services, Action<GantryWorkerOptions>? configure = null)
    {
        var options = services.AddOptions<GantryWorkerOptions>();
        if (configure is not null) options.Configure(configure);
        services.AddHostedService<GantryWorkerHost>();
        return new GantryWorkerBuilder(services);
    }
}

/// <summary>Adds handlers to the worker host.</summary>
public sealed class GantryWorkerBuilder(IServiceCollection services)
{
    public IServiceCollection Services { get; } = services;

    /// <summary>Works <paramref name="queue"/> with <typeparamref name="THandler"/>, <paramref name="concurrency"/> jobs at a time.</summary>
    /// <param name="queue">The queue to work.</param>
    /// <param name="concurrency">Jobs run at once.</param>
    /// <param name="prefetch">Leased jobs to buffer beyond <paramref name="concurrency"/> (see <see cref="QueueRegistration.Prefetch"/>).</param>
    public GantryWorkerBuilder AddHandler<THandler>(string queue, int concurrency = QueueRegistration.DefaultConcurrency,
        int prefetch = QueueRegistration.DefaultPrefetch)
        where THandler : class, IJobHandler =>
        AddHandler(queue, typeof(THandler), concurrency, prefetch);

    /// <summary>Works <paramref name="queue"/> with <paramref name="handlerType"/>, an <see cref="IJobHandler"/> resolved
    /// from a fresh scope per job: for handler types known only at run time (a worker manager's configuration).</summary>
    /// <param name="queue">The queue to work.</param>
    /// <param name="handlerType">A class implementing <see cref="IJobHandler"/>.</param>
    /// <param name="concurrency">Jobs run at once.</param>
    /// <param name="prefetch">Leased jobs to buffer beyond <paramref name="concurrency"/> (see <see cref="QueueRegistration.Prefetch"/>).</param>
    public GantryWorkerBuilder AddHandler(string queue, Type handlerType, int concurrency = QueueRegistration.DefaultConcurrency,
        int prefetch = QueueRegistration.DefaultPrefetch)
    {
        if (string.IsNullOrWhiteSpace(queue)) throw new ArgumentException("A queue name is required.", nameof(queue));
        if (!handlerType.IsClass || handlerType.IsAbstract || !typeof(IJobHandler).IsAssignableFrom(handlerType))
            throw new ArgumentException($"{handlerType.FullName} is not a concrete class implementing {nameof(IJobHandler)}.", nameof(handlerType));
        if (concurrency < 1) throw new ArgumentOutOfRangeException(nameof(concurrency), concurrency, "Concurrency must be at least 1.");
        if (prefetch < 0) throw new ArgumentOutOfRangeException(nameof(prefetch), prefetch, "Prefetch cannot be negative.");
        Services.TryAddScoped(handlerType);
        Services.Configure<GantryWorkerOptions>(o =>
        {
            if (o.Queues.Any(q => q.Queue == queue))
                throw new InvalidOperationException($"Queue '{queue}' already has a handler; register one handler per queue.");
            o.Queues.Add(new QueueRegistration(queue, handlerType) { Concurrency = concurrency, Prefetch = prefetch });
        });
        return this;
    }

    /// <summary>Joins consumer group <paramref name="group"/> of <paramref name="topic"/> with <typeparamref name="THandler"/>:
    /// each message goes to one member of the group (this process or another), is acked when the handler returns and
    /// nacked when it throws.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="group">The group's name; every member uses the same.</param>
    /// <param name="concurrency">Messages handled at once by this process.</param>
    /// <param name="from">Where the group starts if it does not exist yet: <c>last</c> (the server's default), <c>first</c>,
    /// an offset or a time. An existing group keeps its cursor.</param>
    public GantryWorkerBuilder AddGroupHandler<THandler>(string topic, string group, int concurrency = GroupRegistration.DefaultConcurrency,
        string? from = null)
        where THandler : class, IMessageHandler
    {
        if (string.IsNullOrWhiteSpace(topic)) throw new ArgumentException("A topic name is required.", nameof(topic));
        if (string.IsNullOrWhiteSpace(group)) throw new ArgumentException("A group name is required.", nameof(group));
        if (concurrency < 1) throw new ArgumentOutOfRangeException(nameof(concurrency), concurrency, "Concurrency must be at least 1.");
        Services.TryAddScoped<THandler>();
        Services.Configure<GantryWorkerOptions>(o =>
        {
            if (o.Groups.Any(g => g.Topic == topic && g.Group == group))
                throw new InvalidOperationException($"Group '{group}' of topic '{topic}' already has a handler; register one handler per group.");
            o.Groups.Add(new GroupRegistration(topic, group, typeof(THandler)) { Concurrency = concurrency, From = from });
        });
        return this;
    }
}
