using Gantry.Core.Storage;
using Gantry.Hosting;
using Gantry.Http.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gantry.Server;

/// <summary>
/// What <c>gantry server</c> runs and what the in-process tests start: a host of its own around the composition in
/// Gantry.Hosting (<see cref="GantryHostingExtensions.AddGantry"/>), with the executable's own choices: console logging,
/// the default listen address, and inline socket I/O.
/// </summary>
public static class GantryServerApp
{
    /// <summary>The generic host's log category, whose "Hosting failed to start" carries the whole stack trace.</summary>
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    /// <param name="configuration">Settings, over the built-in defaults.</param>
    /// <param name="services">Registrations made before Gantry's own, which keep them (a test's manual clock, say).</param>
    public static WebApplication Build(IConfiguration configuration, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = Directory.GetCurrentDirectory() });
        builder.Configuration.AddConfiguration(configuration);
        if (string.IsNullOrWhiteSpace(builder.Configuration["Gantry:Urls"]))
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Gantry:Urls"] = GantryServerOptions.DefaultUrls });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // Why the server could not start is one line from gantry server (Cli/StartupFailures); the host's own report
        // of it is a 3 KB stack trace. So until the host has started only its critical lines pass, then its warnings
        // and errors again (a background service that fails later is logged in full: that is a bug).
        WebApplication? app = null;
        builder.Logging.AddFilter(HostCategory, level =>
            level >= LogLevel.Critical || (level >= LogLevel.Warning && app?.Lifetime.ApplicationStarted.IsCancellationRequested == true));
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        if (InlineIo(builder.Configuration.GetSection("Gantry")))
            builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);

        services?.Invoke(builder.Services);
        builder.AddGantry();
        app = builder.Build();
        app.MapGantry();
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

    /// <summary>Where the server listens once started (HTTP only), for the start-up line and for tests.</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) => app.Services.GetRequiredService<GantryEndpoints>().Http;

    /// <summary>True when an address accepts connections from other machines.</summary>
    public static bool IsBeyondLoopback(string address)
    {
        if (!Uri.TryCreate(address.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0"), UriKind.Absolute, out var uri)) return true;
        if (uri.IsLoopback) return false;
        return !(System.Net.IPAddress.TryParse(uri.Host, out var ip) && System.Net.IPAddress.IsLoopback(ip));
    }

    /// <summary>Writes the OpenAPI document a server with <paramref name="configuration"/> serves, without starting one:
    /// <c>gantry openapi</c>.</summary>
    public static async Task WriteOpenApiAsync(IConfiguration configuration, TextWriter output, CancellationToken ct)
    {
        await using var app = Build(configuration);
        // A host hands its endpoints to the document generator when its pipeline is built, at start; this app never starts,
        // so the routing middleware is added here to hand them over. Nothing runs the pipeline.
        app.UseRouting();
        app.UseEndpoints(_ => { });
        await GantryOpenApi.WriteAsync(app.Services, output, ct);
    }

    /// <summary>Opens and migrates the configured store, then closes it: <c>gantry migrate</c>.</summary>
    public static async Task MigrateAsync(IConfiguration configuration, CancellationToken ct)
    {
        await using var app = Build(configuration);
        var store = app.Services.GetRequiredService<IStore>();
        await store.MigrateAsync(ct); // the app's container disposes the store
    }
}
