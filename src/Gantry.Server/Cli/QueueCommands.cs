using System.CommandLine;
using Gantry.Contracts;
using Spectre.Console;

namespace Gantry.Server.Cli;

/// <summary><c>gantry queues</c>, <c>gantry pause QUEUE</c>, <c>gantry resume QUEUE</c>, <c>gantry lane QUEUE LANE</c>.</summary>
internal static class QueueCommands
{
    private static readonly string[] States = ["scheduled", "available", "running", "failed", "succeeded", "dead", "cancelled"];

    public static Command CreateList()
    {
        var command = new Command("queues", "List queues with job counts by state and the age of the oldest available job.") { ClientSettings.Json };
        ClientSettings.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            using var client = ClientSettings.Client(parse);
            var queues = await client.ListQueuesAsync(ct);
            if (parse.GetValue(ClientSettings.Json))
            {
                Tables.PrintJson(new QueueListView { Queues = queues.ToList() }, GantryJsonContext.Default.QueueListView);
                return ExitCodes.Ok;
            }
            var table = Tables.New(["QUEUE", "LANE", "PAUSED", .. States.Select(s => s.ToUpperInvariant()), "OLDEST WAITING"]);
            foreach (var q in queues)
            {
                table.AddRow([Markup.Escape(q.Name), q.Lane, q.Paused ? "yes" : "", .. States.Select(s => q.Counts.GetValueOrDefault(s).ToString()),
                    Tables.Age(q.OldestAvailableAgeSeconds)]);
            }
            Tables.Console.Write(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command CreatePause() => Toggle("pause", "Stop handing out a queue's jobs (enqueueing continues).", true);

    public static Command CreateResume() => Toggle("resume", "Hand out a paused queue's jobs again.", false);

    private static Command Toggle(string name, string description, bool pause)
    {
        var queue = new Argument<string>("QUEUE") { Description = "The queue" };
        var create = new Option<bool>("--create") { Description = "Pause a queue that has had no job yet (without it, an unknown name is refused: a typo)" };
        var command = new Command(name, description) { queue };
        if (pause) command.Options.Add(create);
        ClientSettings.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            using var client = ClientSettings.Client(parse);
            var q = parse.GetValue(queue)!;
            if (pause) await client.PauseQueueAsync(q, ct, parse.GetValue(create));
            else await client.ResumeQueueAsync(q, ct);
            Console.WriteLine(pause ? $"Queue {q} is paused." : $"Queue {q} is resumed.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command CreateLane()
    {
        var queue = new Argument<string>("QUEUE") { Description = "The queue" };
        var lane = new Argument<string>("LANE") { Description = "memory (fastest; its jobs are lost when the server stops) or durable (in the store)" };
        lane.AcceptOnlyFromAmong("memory", "durable");
        var command = new Command("lane", "Choose where a queue's jobs live, for every front: memory or durable.") { queue, lane };
        ClientSettings.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            using var client = ClientSettings.Client(parse);
            var q = await client.SetQueueAsync(parse.GetValue(queue)!, lane: parse.GetValue(lane), ct: ct);
            Console.WriteLine($"Queue {q.Name} is in the {q.Lane} lane.");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
