using System.CommandLine;
using Gantry.Contracts;
using Gantry.Core.Jobs;
using Spectre.Console;

namespace Gantry.Server.Cli;

/// <summary><c>gantry job ID</c>, <c>gantry cancel ID</c>, <c>gantry jobs</c>.</summary>
internal static class JobCommands
{
    private static readonly GantryJsonContext Wire = GantryJsonContext.Default;

    public static Command CreateShow()
    {
        var id = Flags.JobIdArgument("The job's id");
        var command = new Command("job", "Show one job: state, attempts, timings, payload, result and errors.") { id, ClientSettings.Json };
        ClientSettings.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            using var client = ClientSettings.Client(parse);
            var job = await client.GetAsync(parse.GetValue(id), ct) ?? throw new CliException($"there is no job {parse.GetValue(id)}.", ExitCodes.Failed);
            if (parse.GetValue(ClientSettings.Json)) Tables.PrintJson(job, Wire.JobView);
            else PrintJob(job);
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command CreateCancel()
    {
        var id = Flags.JobIdArgument("The job's id");
        var command = new Command("cancel", "Cancel a job (a running job stops at its worker's next heartbeat).") { id };
        ClientSettings.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            using var client = ClientSettings.Client(parse);
            var response = await client.CancelAsync(parse.GetValue(id), ct);
            Console.WriteLine(response.Outcome switch
            {
                "cancelled" => $"Job {parse.GetValue(id)} is cancelled.",
                "cancel_requested" => $"Job {parse.GetValue(id)} is running; its worker is told to stop at its next heartbeat.",
                _ => $"Job {parse.GetValue(id)} had already finished ({response.Job?.State}); nothing changed.",
            });
            return response.Outcome == "already_finished" ? ExitCodes.Failed : ExitCodes.Ok;
        }));
        return command;
    }

    public static Command CreateList()
    {
        var queue = new Option<string?>("--queue") { Description = "Only this queue", HelpName = "QUEUE" };
        var state = new Option<string?>("--state") { Description = "Only this state: scheduled, available, running, succeeded, failed, dead, cancelled", HelpName = "STATE" };
        var limit = Flags.WholeNumber("--limit", $"Jobs per page [default: {JobQuery.DefaultLimit}]", 1, JobQuery.MaxLimit);
        var before = Flags.JobIdOption("--before", "Start below this id (the 'next' of the previous page)");
        var command = new Command("jobs", "List jobs, newest first.") { queue, state, limit, before, ClientSettings.Json };
        ClientSettings.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            using var client = ClientSettings.Client(parse);
            var page = await client.ListJobsAsync(parse.GetValue(queue), parse.GetValue(state), parse.GetValue(limit), parse.GetValue(before), ct);
            if (parse.GetValue(ClientSettings.Json))
            {
                Tables.PrintJson(page, Wire.JobPageView);
                return ExitCodes.Ok;
            }
            var table = Tables.New("ID", "QUEUE", "STATE", "ATTEMPT", "PRIORITY", "CREATED", "DELAY MS", "PROCESS MS", "LAST ERROR");
            foreach (var j in page.Jobs)
            {
                table.AddRow(j.Id.ToString(), Markup.Escape(j.Queue), j.State, $"{j.Attempt}/{j.MaxAttempts}", j.Priority.ToString(),
                    Tables.Time(j.CreatedAt), Tables.Millis(j.DelayMs), Tables.Millis(j.ProcessMs),
                    Markup.Escape(Shorten(j.Errors.LastOrDefault()?.Message ?? "")));
            }
            Tables.Console.Write(table);
            if (page.Next is { } next) Console.WriteLine($"More: gantry jobs --before {next}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void PrintJob(JobView j)
    {
        var table = Tables.New("FIELD", "VALUE");
        void Row(string name, string? value) => table.AddRow(name, Markup.Escape(value ?? ""));
        Row("id", j.Id.ToString());
        Row("queue", j.Queue);
        Row("state", j.State + (j.CancelRequested && !j.Finished ? " (cancel requested)" : ""));
        Row("attempt", $"{j.Attempt} of {j.MaxAttempts}");
        Row("priority", j.Priority.ToString());
        Row("unique key", j.UniqueKey);
        Row("created", Tables.Time(j.CreatedAt));
        Row("run at", Tables.Time(j.RunAt));
        Row("started", Tables.Time(j.StartedAt));
        Row("finished", Tables.Time(j.FinishedAt));
        Row("lease expires", Tables.Time(j.LeaseExpiresAt));
        Row("delay ms", Tables.Millis(j.DelayMs));
        Row("process ms", Tables.Millis(j.ProcessMs));
        var (payloadForm, payload) = PayloadOutput.ForTable(j.Payload, j.PayloadBase64);
        Row(PayloadOutput.Label("payload", payloadForm), Shorten(payload, 120));
        var (resultForm, result) = PayloadOutput.ForTable(j.Result, j.ResultBase64);
        Row(PayloadOutput.Label("result", resultForm), Shorten(result, 120));
        foreach (var e in j.Errors) Row($"error #{e.Attempt}", $"{Tables.Time(e.At)} {e.Message}");
        Tables.Console.Write(table);
    }

    private static string Shorten(string text, int max = 60)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= max ? line : line[..max] + "…";
    }
}
