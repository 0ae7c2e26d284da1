using System.CommandLine;
using System.Globalization;
using Gantry.Contracts;
using Spectre.Console;

namespace Gantry.Server.Cli;

/// <summary><c>gantry stats</c>: per queue, how long jobs wait and run, how many end per minute, the backlog, the busy
/// workers, and whether the queue is falling behind (add workers).</summary>
internal static class StatsCommand
{
    public static Command Create()
    {
        var command = new Command("stats",
            "Per queue over the last minutes: delay (due → start) and process time (start → finish) percentiles, jobs per minute, " +
            "backlog, running jobs (busy workers), and BEHIND when the delay p95 has stayed above the warning threshold.")
        {
            ClientSettings.Json,
        };
        ClientSettings.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            using var client = ClientSettings.Client(parse);
            var stats = await client.GetStatsAsync(ct);
            if (parse.GetValue(ClientSettings.Json))
            {
                Tables.PrintJson(stats, GantryJsonContext.Default.StatsView);
                return ExitCodes.Ok;
            }
            Tables.Console.Write(Table(stats));
            return ExitCodes.Ok;
        }));
        return command;
    }

    internal static Table Table(StatsView stats)
    {
        var table = Tables.New("QUEUE", "DELAY p50", "p95", "p99", "PROCESS p50", "p95", "p99", "JOBS/MIN", "BACKLOG", "RUNNING", "BEHIND");
        foreach (var q in stats.Queues)
        {
            table.AddRow(
                Markup.Escape(q.Queue),
                Duration(q.Delay.P50Ms), Duration(q.Delay.P95Ms), Duration(q.Delay.P99Ms),
                Duration(q.Process.P50Ms), Duration(q.Process.P95Ms), Duration(q.Process.P99Ms),
                q.JobsPerMinute.ToString("0.#", CultureInfo.InvariantCulture),
                q.Backlog.ToString(CultureInfo.InvariantCulture),
                q.Running.ToString(CultureInfo.InvariantCulture),
                q.FallingBehind ? "[red]BEHIND[/]" : "");
        }
        var warning = stats.DelayWarningSeconds > 0
            ? $"BEHIND: delay p95 above {Tables.Age(stats.DelayWarningSeconds)} for {Tables.Age(stats.DelayWarningPeriodSeconds)} (add workers)"
            : "falling-behind warning off";
        table.Caption($"window: last {Tables.Age(stats.WindowSeconds)} · RUNNING = busy workers · {warning}");
        return table;
    }

    /// <summary>Milliseconds below a second, then the units <see cref="Tables.Age"/> uses; "-" when nothing ended.</summary>
    internal static string Duration(double? ms) => ms switch
    {
        null => "-",
        < 10 => ms.Value.ToString("0.#", CultureInfo.InvariantCulture) + " ms",
        < 1000 => ms.Value.ToString("0", CultureInfo.InvariantCulture) + " ms",
        _ => Tables.Age(ms / 1000),
    };
}
