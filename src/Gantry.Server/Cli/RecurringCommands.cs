using System.CommandLine;
using System.Text;
using Gantry.Contracts;
using Gantry.Core.Options;
using Spectre.Console;

namespace Gantry.Server.Cli;

/// <summary><c>gantry recurring list|show|set|pause|resume|trigger|delete</c>: cron schedules that enqueue a job per tick.</summary>
internal static class RecurringCommands
{
    public static Command Create()
    {
        var command = new Command("recurring", "Recurring (cron) schedules: each tick enqueues a job.")
        {
            List(), Show(), Set(), Toggle("pause", "Stop a schedule firing (ticks while paused are not made up).", pause: true),
            Toggle("resume", "Fire a paused schedule again, from the next tick after now.", pause: false), Trigger(), Delete(),
        };
        return command;
    }

    private static Argument<string> NameArgument() => new("NAME") { Description = "The schedule's name" };

    private static Command List()
    {
        var command = new Command("list", "Every schedule with its next fire time, last fire and last job.") { ClientSettings.Json };
        ClientSettings.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            using var client = ClientSettings.Client(parse);
            var schedules = await client.ListRecurringAsync(ct);
            if (parse.GetValue(ClientSettings.Json))
            {
                Tables.PrintJson(new RecurringScheduleListView { Schedules = schedules.ToList() }, GantryJsonContext.Default.RecurringScheduleListView);
                return ExitCodes.Ok;
            }
            var table = Tables.New("NAME", "CRON", "TIME ZONE", "QUEUE", "NEXT FIRE", "LAST FIRE", "LAST JOB", "MISFIRE", "STATE", "SOURCE");
            foreach (var s in schedules)
            {
                table.AddRow(Markup.Escape(s.Name), Markup.Escape(s.Cron), Markup.Escape(s.TimeZone), Markup.Escape(s.Queue),
                    Tables.Time(s.NextFireAt), Tables.Time(s.LastFireAt), s.LastJobId?.ToString() ?? "",
                    s.Misfire + (s.SkipIfRunning ? ", skip if running" : ""), s.Paused ? "[yellow]paused[/]" : "active", s.Source);
            }
            Tables.Console.Write(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Show()
    {
        var name = NameArgument();
        var command = new Command("show", "One schedule in full, with its next fire times.") { name, ClientSettings.Json };
        ClientSettings.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            using var client = ClientSettings.Client(parse);
            var s = await client.GetRecurringAsync(parse.GetValue(name)!, ct)
                    ?? throw new CliException($"There is no recurring schedule named '{parse.GetValue(name)}'.", ExitCodes.Failed);
            if (parse.GetValue(ClientSettings.Json))
            {
                Tables.PrintJson(s, GantryJsonContext.Default.RecurringScheduleView);
                return ExitCodes.Ok;
            }
            var table = Tables.New("FIELD", "VALUE");
            void Row(string field, string? value) => table.AddRow(field, Markup.Escape(value ?? ""));
            Row("name", s.Name);
            Row("cron", s.Cron);
            Row("time zone", s.TimeZone);
            Row("queue", s.Queue);
            var (payloadForm, payload) = PayloadOutput.ForTable(s.Payload, s.PayloadBase64);
            Row(PayloadOutput.Label("payload", payloadForm), payload);
            Row("misfire", s.Misfire);
            Row("skip if running", s.SkipIfRunning ? "yes" : "no");
            Row("state", s.Paused ? "paused" : "active");
            Row("source", s.Source);
            Row("last fire", Tables.Time(s.LastFireAt));
            Row("last job", s.LastJobId?.ToString());
            Row("upcoming", string.Join("\n", s.Upcoming.Select(t => Tables.Time(t))));
            Row("recent fires", string.Join("\n", (s.RecentFires ?? []).Select(f =>
                $"{Tables.Time(f.Tick)}  {f.Outcome}{(f.JobId is { } id ? " job " + id : "")}")));
            Tables.Console.Write(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Set()
    {
        var name = NameArgument();
        var cron = new Argument<string>("CRON") { Description = "Five fields (crontab), six or seven with seconds first, or @daily, @hourly, …" };
        var queue = new Argument<string>("QUEUE") { Description = "The queue each tick's job goes to" };
        var payload = new Argument<string?>("PAYLOAD") { Description = "Each job's payload: JSON is stored as is, other text as its UTF-8 bytes", Arity = ArgumentArity.ZeroOrOne };
        var timeZone = new Option<string?>("--time-zone") { Description = "IANA time zone of the expression [default: UTC]", HelpName = "ZONE" };
        var misfire = new Option<string?>("--misfire") { Description = "After missed ticks: skip, or fire_once [default: fire_once]", HelpName = "POLICY" };
        var skipIfRunning = new Option<bool>("--skip-if-running") { Description = "Skip a tick while the previous tick's job is unfinished" };
        var paused = new Option<bool>("--paused") { Description = "Create (or keep) the schedule paused" };
        var priority = Flags.WholeNumber("--priority", "The jobs' priority");
        var maxAttempts = Flags.WholeNumber("--max-attempts", "The jobs' attempts", 1, JobLimits.HighestMaxAttemptsCeiling);
        var timeout = Flags.Seconds("--timeout", "The jobs' lease length in seconds", JobLimits.MinTimeout, JobLimits.HighestMaxTimeout);
        var text = PayloadInput.TextOption();
        var command = new Command("set", "Create or replace a schedule (an unchanged cron and time zone keep the next fire time).")
        {
            name, cron, queue, payload, timeZone, misfire, skipIfRunning, paused, priority, maxAttempts, timeout, text,
        };
        ClientSettings.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            using var client = ClientSettings.Client(parse);
            var bytes = Encoding.UTF8.GetBytes(parse.GetValue(payload) ?? "");
            if (!parse.GetValue(text) && PayloadInput.NotJsonWarning(bytes) is { } warning) Console.Error.WriteLine("gantry: " + warning);
            var (json, base64) = Payloads.ToWire(bytes);
            var s = await client.SaveRecurringAsync(parse.GetValue(name)!, new RecurringScheduleRequest
            {
                Cron = parse.GetValue(cron),
                Queue = parse.GetValue(queue),
                Payload = json,
                PayloadBase64 = base64,
                TimeZone = parse.GetValue(timeZone),
                Misfire = parse.GetValue(misfire),
                SkipIfRunning = parse.GetValue(skipIfRunning),
                Paused = parse.GetValue(paused) ? true : null,
                Priority = parse.GetValue(priority),
                MaxAttempts = parse.GetValue(maxAttempts),
                Timeout = parse.GetValue(timeout),
            }, ct);
            Console.WriteLine(s.Paused
                ? $"Schedule {s.Name} is saved, paused."
                : $"Schedule {s.Name} is saved; next fire {Tables.Time(s.NextFireAt)} ({s.TimeZone} expression, local time shown).");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Toggle(string verb, string description, bool pause)
    {
        var name = NameArgument();
        var command = new Command(verb, description) { name };
        ClientSettings.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            using var client = ClientSettings.Client(parse);
            var s = pause ? await client.PauseRecurringAsync(parse.GetValue(name)!, ct) : await client.ResumeRecurringAsync(parse.GetValue(name)!, ct);
            Console.WriteLine(s.Paused ? $"Schedule {s.Name} is paused." : $"Schedule {s.Name} is active; next fire {Tables.Time(s.NextFireAt)}.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Trigger()
    {
        var name = NameArgument();
        var command = new Command("trigger", "Enqueue the schedule's job now, outside its ticks; prints the job id.") { name };
        ClientSettings.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            using var client = ClientSettings.Client(parse);
            Console.WriteLine(await client.TriggerRecurringAsync(parse.GetValue(name)!, ct));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Delete()
    {
        var name = NameArgument();
        var command = new Command("delete", "Delete a schedule (jobs it already enqueued stay).") { name };
        ClientSettings.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            using var client = ClientSettings.Client(parse);
            if (!await client.DeleteRecurringAsync(parse.GetValue(name)!, ct))
                throw new CliException($"There is no recurring schedule named '{parse.GetValue(name)}'.", ExitCodes.Failed);
            Console.WriteLine($"Schedule {parse.GetValue(name)} is deleted.");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
