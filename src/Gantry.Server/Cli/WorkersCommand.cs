using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Gantry.Client;
using Gantry.Workers.Child;
using Gantry.Workers.Config;
using Gantry.Workers.Logging;
using Gantry.Workers.Status;
using Gantry.Workers.Supervisor;
using Spectre.Console;

namespace Gantry.Server.Cli;

/// <summary>
/// <c>gantry workers --config FILE</c>: the worker manager (pools of prefork child processes from a YAML file);
/// <c>gantry workers status</c>: what it runs now; and the hidden <c>gantry workers child</c> that the manager starts.
/// </summary>
internal static class WorkersCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "The workers file (YAML) that defines the pools", HelpName = "FILE" };
        var command = new Command("workers",
            "Run worker pools from a YAML file: child processes per pool (an external command, a .NET handler type or an HTTP " +
            "endpoint), each replaced after max_jobs_per_child jobs; SIGHUP reloads the file, SIGTERM/SIGINT stop gracefully.")
        {
            config,
        };
        ClientSettings.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            var path = parse.GetValue(config) ?? throw new CliException("--config FILE is required: the YAML file that defines the worker pools.");
            var loaded = Load(path);
            var server = parse.GetValue(ClientSettings.Server) ?? Environment.GetEnvironmentVariable(GantryClientOptions.ServerUrlVariable);
            Uri? serverUri = null;
            if (!string.IsNullOrWhiteSpace(server) && (!Uri.TryCreate(server, UriKind.Absolute, out serverUri) || serverUri.Scheme is not ("http" or "https")))
                throw new CliException($"--server: '{server}' is not a server address; expected something like {GantryClientOptions.DefaultServerUrl}.");
            var token = parse.GetValue(ClientSettings.Token) ?? Environment.GetEnvironmentVariable(GantryClientOptions.TokenVariable);
            var log = new WorkerLog(Console.Out, TimeProvider.System, loaded.LogFormat);
            return await new WorkerSupervisor(loaded, serverUri, string.IsNullOrEmpty(token) ? null : token, log, TimeProvider.System).RunAsync();
        }));
        command.Subcommands.Add(CreateStatus());
        var child = new Command(SelfCommand.ChildVerb[1], "Run one child of a worker pool (started by `gantry workers` only).") { Hidden = true };
        child.SetAction(async (_, _) => await ChildRuntime.RunAsync());
        command.Subcommands.Add(child);
        return command;
    }

    private static WorkersConfig Load(string path)
    {
        try
        {
            return ConfigLoader.Load(path);
        }
        catch (ConfigException ex)
        {
            throw new CliException($"the workers file has {(ex.Errors.Count == 1 ? "an error" : $"{ex.Errors.Count} errors")}; nothing was started:" +
                                   Environment.NewLine + ex.Message, ExitCodes.Usage);
        }
    }

    private static Command CreateStatus()
    {
        var config = new Option<string?>("--config") { Description = "The workers file the manager runs (its status file is found from it)", HelpName = "FILE" };
        var statusFile = new Option<string?>("--status-file") { Description = "The manager's status file", HelpName = "FILE" };
        var command = new Command("status", "Show the pools a running worker manager has: children, PIDs, jobs done, memory, current jobs, restarts.")
        {
            config, statusFile, ClientSettings.Json,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var path = parse.GetValue(statusFile) ?? StatusPath(parse.GetValue(config)
                ?? throw new CliException("give --config FILE (the workers file) or --status-file FILE."));
            var snapshot = StatusFile.Read(path)
                ?? throw new CliException($"no worker manager is running with this file (no status file at {path}).", ExitCodes.Failed);
            if (!StatusFile.IsAlive(snapshot))
                throw new CliException($"the worker manager (pid {snapshot.Pid}) that wrote {path} is not running; the file is stale.", ExitCodes.Failed);
            if (parse.GetValue(ClientSettings.Json))
                Console.WriteLine(JsonSerializer.Serialize(snapshot, StatusSnapshot.Json));
            else
                Tables.Console.Write(Table(snapshot));
            return Task.FromResult(ExitCodes.Ok);
        }).GetAwaiter().GetResult());
        return command;
    }

    /// <summary>The status file the manager of <paramref name="configPath"/> writes: its status_file, or the default beside it.</summary>
    private static string StatusPath(string configPath)
    {
        try
        {
            return ConfigLoader.Load(configPath).StatusFile;
        }
        catch (ConfigException)
        {
            // The file may have been edited into an error since the manager started; the default is still worth a look.
            return WorkersConfig.DefaultStatusFile(configPath);
        }
    }

    internal static Table Table(StatusSnapshot status)
    {
        var table = Tables.New("POOL", "QUEUES", "SLOT", "PID", "STATE", "JOBS", "MEM MB", "CURRENT", "UP", "RESTARTS", "RECYCLED", "LAST EXIT");
        foreach (var pool in status.Pools)
        {
            foreach (var child in pool.Children)
            {
                table.AddRow(
                    Markup.Escape(pool.Name + (pool.State == "draining" ? " (draining)" : "")),
                    Markup.Escape(string.Join(",", pool.Queues)),
                    child.Slot.ToString(CultureInfo.InvariantCulture),
                    child.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    child.State,
                    child.JobsDone.ToString(CultureInfo.InvariantCulture),
                    child.MemoryMb?.ToString("0.#", CultureInfo.InvariantCulture) ?? "-",
                    Markup.Escape(string.Join(" ", child.CurrentJobs.Select(j => $"{j.Id}@{j.Queue}"))),
                    child.StartedAt is { } at ? Tables.Age((status.UpdatedAt - at).TotalSeconds) : "",
                    child.Restarts.ToString(CultureInfo.InvariantCulture),
                    child.Recycles.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(child.LastExit ?? ""));
            }
        }
        table.Caption(Markup.Escape($"manager pid {status.Pid} · {status.State} · {status.Config} · server {status.Server} · updated {Tables.Time(status.UpdatedAt)}"));
        return table;
    }
}
