using System.CommandLine;
using Gantry.Hosting;
using Gantry.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Cli;

/// <summary><c>gantry server</c>: runs the server until Ctrl-C or SIGTERM, then shuts down gracefully.</summary>
internal static class ServerCommand
{
    /// <summary>5 seconds for the services that did start to stop after a failed start, before the app is disposed.</summary>
    public static readonly TimeSpan StopAfterFailedStart = TimeSpan.FromSeconds(5);

    public static Command Create()
    {
        var command = new Command("server", "Run a Gantry server (embedded SQLite store unless --store names a PostgreSQL database).");
        ServerSettings.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            var configuration = ServerSettings.Build(parse);
            GantryServerApp.PrepareInlineSocketCompletions(configuration);
            var app = GantryServerApp.Build(configuration);
            await using (app)
            {
                try
                {
                    await app.StartAsync(ct);
                }
                catch (Exception ex) when (StartupFailures.Explain(ex, configuration) is { } failure)
                {
                    // What did start (the housekeeping loops run their first pass at once) is stopped before the app,
                    // and with it the store, is disposed: a pass must not meet a closed store and log its stack trace
                    // under the one line that says why the server could not start.
                    using var stopping = new CancellationTokenSource(StopAfterFailedStart);
                    try { await app.StopAsync(stopping.Token); }
                    catch (Exception) { } // the start failed already; that is what the user is told
                    throw failure;
                }
                // The fronts' lines first: whoever waits for the main line then has them all.
                var endpoints = app.Services.GetRequiredService<GantryEndpoints>();
                if (endpoints.GearmanAddress is { } gearman) Console.WriteLine($"Gearman listening on {gearman}");
                if (endpoints.StompAddress is { } stomp) Console.WriteLine($"STOMP listening on {stomp}");
                Console.WriteLine(endpoints.Describe());
                WarnIfExposed(app);
                await app.WaitForShutdownAsync(CancellationToken.None);
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void WarnIfExposed(WebApplication app)
    {
        var http = app.Services.GetRequiredService<IOptions<GantryHttpOptions>>().Value;
        if (!string.IsNullOrEmpty(http.ApiToken)) return;
        var exposed = GantryServerApp.Addresses(app).Where(GantryServerApp.IsBeyondLoopback).ToList();
        if (exposed.Count > 0)
            app.Logger.LogWarning("Listening beyond loopback ({Addresses}) without an API token: anyone who can reach it can enqueue and " +
                                  "fetch jobs. Set Gantry:Http:ApiToken (GANTRY_HTTP__APITOKEN).", string.Join(", ", exposed));
    }
}

/// <summary><c>gantry migrate</c>: applies the store's schema migrations and exits.</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "Apply the store's schema migrations and exit (the server also applies them at start).");
        ServerSettings.AddStoreOptionsTo(command); // it opens the store and listens nowhere
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            var configuration = ServerSettings.Build(parse);
            try
            {
                await GantryServerApp.MigrateAsync(configuration, ct);
            }
            catch (Exception ex) when (StartupFailures.Explain(ex, configuration) is { } failure)
            {
                throw failure;
            }
            Console.WriteLine("Store is migrated.");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
