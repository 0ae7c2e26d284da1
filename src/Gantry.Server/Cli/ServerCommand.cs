using System.CommandLine;
using Gantry.Gearman;
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
                catch (IOException ex) when (GearmanPortInUse(app, ex) is { } message)
                {
                    throw new CliException(message, 1);
                }
                // The Gearman line first: whoever waits for the main line then has both.
                var endpoints = app.Services.GetRequiredService<GantryEndpoints>();
                if (endpoints.GearmanAddress is { } gearman) Console.WriteLine($"Gearman listening on {gearman}");
                Console.WriteLine(endpoints.Describe());
                WarnIfExposed(app);
                await app.WaitForShutdownAsync(CancellationToken.None);
            }
            return 0;
        }));
        return command;
    }

    /// <summary>Kestrel names the Gearman port as an http:// address it could not bind; say what it really is.</summary>
    private static string? GearmanPortInUse(WebApplication app, IOException ex)
    {
        var listen = app.Services.GetService<IOptions<GearmanOptions>>()?.Value.Listen;
        if (listen is null || !GearmanEndpoint.TryParse(listen, out var endpoint, out _) || endpoint.Port == 0) return null;
        if (!ex.Message.Contains($":{endpoint.Port}", StringComparison.Ordinal)) return null;
        return $"the Gearman port {listen} is in use (another gantry or gearmand?): {ex.Message} " +
               "Choose another with --gearman HOST:PORT (Gantry:Gearman:Listen), or turn the Gearman front off with --gearman off.";
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
        ServerSettings.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            await GantryServerApp.MigrateAsync(ServerSettings.Build(parse), ct);
            Console.WriteLine("Store is migrated.");
            return 0;
        }));
        return command;
    }
}
