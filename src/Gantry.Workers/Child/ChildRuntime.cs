using Gantry.Client;
using Gantry.Client.Workers;
using Gantry.Workers.Config;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Gantry.Workers.Child;

/// <summary>
/// The child process of a pool (<c>gantry workers child</c>, started by the parent only). It reads its spec from the
/// first stdin line, works the pool's queues through the SDK worker host, reports events on stdout and logs on stderr.
/// It stops leasing and exits 0 once its job budget is spent, its memory is over the limit, the parent writes
/// <c>drain</c> or closes stdin (so a dead parent leaves no orphans working), or it gets SIGTERM (SIGINT is the
/// parent's to handle, see <see cref="ChildLifetime"/>): in every case in-flight jobs finish within the grace period
/// and the rest are released to the queue.
/// </summary>
public static class ChildRuntime
{
    /// <summary>Exit codes the parent tells apart in its log.</summary>
    public const int BadSpecExitCode = 3, HandlerLoadExitCode = 4;
    /// <summary>Defaults to 10 seconds beyond the grace period for the host's own stop, so the worker host's drain decides.</summary>
    private static readonly TimeSpan HostStopMargin = TimeSpan.FromSeconds(10);
    private const double Mebibyte = 1024 * 1024;
    /// <summary>Defaults to 5 seconds per long poll: a child being stopped lets its open poll finish (and gives back what
    /// it brings) rather than cancel it and maybe strand a job just leased to it, so this bounds how long that takes.
    /// An idle child so asks 12 times a minute per queue.</summary>
    public static readonly TimeSpan FetchWait = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync()
    {
        var events = Console.OpenStandardOutput();
        Console.SetOut(Console.Error);
        var stdin = new StreamReader(Console.OpenStandardInput());
        ChildSpec spec;
        try
        {
            spec = ChildSpec.FromJson(await stdin.ReadLineAsync() ?? throw new InvalidOperationException("stdin closed before the spec arrived"));
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine($"gantry workers child: no valid spec on stdin ({ex.Message}); this verb is started by `gantry workers` only.");
            return BadSpecExitCode;
        }

        var pool = spec.Pool;
        Type? userType = null;
        if (pool.Kind == HandlerKind.Handler)
        {
            try
            {
                userType = HandlerTypes.Load(pool.Handler!, pool.Assembly);
            }
            catch (InvalidOperationException ex)
            {
                Console.Error.WriteLine($"cannot load the handler of pool {pool.Name}: {ex.Message}");
                return HandlerLoadExitCode;
            }
        }

        string? stopReason = null;
        IHostApplicationLifetime? lifetime = null;
        void Stop(string reason)
        {
            Interlocked.CompareExchange(ref stopReason, reason, null);
            lifetime?.StopApplication();
        }
        var writer = new ChildEventWriter(events, Stop);

        using var host = Build(spec, userType, writer);
        lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        await host.StartAsync();
        writer.Write(new ChildEvent { Event = ChildEvent.Ready });

        _ = Task.Run(async () =>
        {
            // "drain" or end of stdin: the parent wants this child gone, or is gone itself.
            while (await stdin.ReadLineAsync() is { } line && line.Trim() != "drain") { }
            Stop("parent");
        });
        using var memoryWatch = new CancellationTokenSource();
        var watching = WatchMemoryAsync(spec, writer, Stop, memoryWatch.Token);

        await host.WaitForShutdownAsync();
        memoryWatch.Cancel();
        await watching;
        writer.Write(new ChildEvent { Event = ChildEvent.Exit, Reason = stopReason ?? "signal", JobsDone = writer.JobsDone });
        return 0;
    }

    private static IHost Build(ChildSpec spec, Type? userType, ChildEventWriter writer)
    {
        var pool = spec.Pool;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = pool.WorkingDirectory });
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        builder.Services.AddSingleton<IHostLifetime, ChildLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = spec.ShutdownGrace + HostStopMargin);

        builder.Services.AddSingleton(pool);
        builder.Services.AddSingleton<CommandJobHandler>();
        // The pool's timeout ends a request, not HttpClient's default of 100 seconds.
        // A larger answer fails the request (and the job, for a retry) rather than filling the child's memory.
        builder.Services.AddSingleton(new HttpClient { Timeout = Timeout.InfiniteTimeSpan, MaxResponseContentBufferSize = ResultLimit.MaxBytes });
        builder.Services.AddSingleton<HttpJobHandler>();
        if (userType is not null)
        {
            builder.Services.AddSingleton(new UserHandlerType(userType));
            builder.Services.AddScoped(userType);
        }
        if (pool.Functions.Count > 0)
        {
            // A pool of Gearman functions: worker connections to the Gearman port instead of the SDK's worker host.
            builder.Services.AddSingleton(spec);
            builder.Services.AddSingleton<IJobObserver>(writer);
            builder.Services.AddScoped<PoolJobHandler>();
            builder.Services.AddHostedService<Gearman.GearmanPoolWorker>();
            return builder.Build();
        }
        var worker = builder.Services.AddGantryWorker(o =>
        {
            o.Client = new GantryClientOptions { ServerUrl = spec.Server, Token = spec.Token };
            o.MaxJobs = pool.MaxJobsPerChild > 0 ? pool.MaxJobsPerChild : null;
            o.Observer = writer;
            o.ShutdownGracePeriod = spec.ShutdownGrace;
            o.FetchWait = FetchWait;
            o.FinishFetchesOnStop = true;
        });
        foreach (var queue in pool.Queues) worker.AddHandler(queue, typeof(PoolJobHandler), pool.Concurrency);
        return builder.Build();
    }

    private static async Task WatchMemoryAsync(ChildSpec spec, ChildEventWriter writer, Action<string> stop, CancellationToken ct)
    {
        var limit = spec.Pool.MaxMemoryMb;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var mb = Math.Round(Environment.WorkingSet / Mebibyte, 1);
                writer.Write(new ChildEvent { Event = ChildEvent.Memory, MemoryMb = mb });
                if (limit > 0 && mb > limit)
                {
                    writer.Write(new ChildEvent { Event = ChildEvent.Recycle, Reason = "max_memory", MemoryMb = mb, JobsDone = writer.JobsDone });
                    stop("max_memory");
                    return;
                }
                await Task.Delay(spec.MemoryCheckInterval, ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
