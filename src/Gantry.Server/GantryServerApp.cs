using System.Net;
using Gantry.Contracts;
using Gantry.Gearman;
using Gantry.Core.Storage;
using Gantry.Hosting;
using Gantry.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Server;

/// <summary>Builds the whole server from a configuration: what <c>gantry server</c> runs and what the in-process tests start.</summary>
public static class GantryServerApp
{
    /// <param name="configuration">Settings, over the built-in defaults.</param>
    /// <param name="services">Registrations made before Gantry's own, which keep them (a test's manual clock, say).</param>
    public static WebApplication Build(IConfiguration configuration, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = Directory.GetCurrentDirectory() });
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // One console line per job costs more than the job at tens of thousands a second: the job log reaches the
        // console only when asked for (Logging:LogLevel:Gantry.JobLog=Information); its statistics and metrics always run.
        if (builder.Configuration[$"Logging:LogLevel:{Core.Stats.JobLog.Category}"] is null)
            builder.Logging.AddFilter(Core.Stats.JobLog.Category, LogLevel.Warning);
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });

        var gantry = builder.Configuration.GetSection("Gantry");
        var urls = gantry["Urls"] is { Length: > 0 } configured ? configured : GantryServerOptions.DefaultUrls;
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        if (InlineIo(gantry))
            builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);

        services?.Invoke(builder.Services);
        builder.Services.AddGantry(gantry);
        var gearman = gantry.GetSection("Gearman");
        var gearmanListen = gearman["Listen"] is { Length: > 0 } listen ? listen : GearmanOptions.DefaultListen;
        if (!string.Equals(gearmanListen.Trim(), GearmanOptions.Off, StringComparison.OrdinalIgnoreCase))
        {
            builder.Services.AddGantryGearman(gearman);
            // A malformed address is reported by the options validation at start, with the others.
            if (GearmanEndpoint.TryParse(gearmanListen, out var endpoint, out _))
                builder.WebHost.ConfigureKestrel((context, k) =>
                    k.ListenGearman(urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), endpoint,
                        k.ApplicationServices.GetRequiredService<GearmanListener>()));
            else builder.WebHost.UseUrls(urls);
        }
        else
        {
            builder.WebHost.UseUrls(urls);
        }
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, GantryJsonContext.Default));

        var app = builder.Build();
        app.UseGantry();
        app.MapGantry();
        app.MapOpenApi("/openapi/{documentName}.json");
        return app;
    }

    /// <summary>
    /// <c>Gantry:InlineIo</c> (default true): connection code runs on the socket threads instead of hopping to the thread
    /// pool for every read and write. On 2 cores that took the Gearman front from 29k to 41k background jobs/s and cut its
    /// CPU per job by a third (bench/gearman-compare.sh); turn it off only when hosting handlers that block a thread.
    /// </summary>
    public static bool InlineIo(IConfiguration gantry) =>
        !bool.TryParse(gantry["InlineIo"], out var inline) || inline;

    /// <summary>Socket completions on the I/O threads as well (the runtime reads this variable once, at its first socket);
    /// set by <c>gantry server</c> before anything opens a socket, unless the user set it.</summary>
    public static void PrepareInlineSocketCompletions(IConfiguration configuration)
    {
        const string variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
        if (InlineIo(configuration.GetSection("Gantry")) && Environment.GetEnvironmentVariable(variable) is null)
            Environment.SetEnvironmentVariable(variable, "1");
    }

    /// <summary>Where the server listens once started, for the start-up line and for tests.</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app)
    {
        var all = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        // Kestrel lists the Gearman endpoint among its addresses; it is not an HTTP address.
        if (Gearman(app) is { EndPoint: { } gearman })
            all.RemoveAll(a => Uri.TryCreate(a, UriKind.Absolute, out var u) && u.Port == gearman.Port);
        return all;
    }

    /// <summary>The Gearman listener, when the Gearman front is on.</summary>
    public static GearmanListener? Gearman(WebApplication app) => app.Services.GetService<GearmanListener>();

    /// <summary>One line that says where the server listens and what it stores into.</summary>
    public static string Describe(WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<GantryServerOptions>>().Value;
        var store = options.UsesPostgres
            ? "postgresql"
            : "sqlite at " + app.Services.GetRequiredService<IOptions<SqliteStoreOptions>>().Value.DatabasePath;
        return $"Gantry {GantryVersion.Current} listening on {string.Join(", ", Addresses(app))} (store: {store})";
    }

    /// <summary>True when an address accepts connections from other machines.</summary>
    public static bool IsBeyondLoopback(string address)
    {
        if (!Uri.TryCreate(address.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0"), UriKind.Absolute, out var uri)) return true;
        if (uri.IsLoopback) return false;
        return !(IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip));
    }

    /// <summary>Opens and migrates the configured store, then closes it: <c>gantry migrate</c>.</summary>
    public static async Task MigrateAsync(IConfiguration configuration, CancellationToken ct)
    {
        await using var app = Build(configuration);
        var store = app.Services.GetRequiredService<IJobStore>();
        await store.MigrateAsync(ct); // the app's container disposes the store
    }
}
