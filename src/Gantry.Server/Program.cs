using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Gantry.Server.Cli;

var root = new RootCommand("Gantry: a job and message server. Run `gantry server` to start one; the other verbs talk to a running server.");
root.Subcommands.Add(ServerCommand.Create());
root.Subcommands.Add(MigrateCommand.Create());
root.Subcommands.Add(OpenApiCommand.Create());
root.Subcommands.Add(EnqueueCommand.Create());
root.Subcommands.Add(JobCommands.CreateShow());
root.Subcommands.Add(JobCommands.CreateCancel());
root.Subcommands.Add(JobCommands.CreateList());
root.Subcommands.Add(QueueCommands.CreateList());
root.Subcommands.Add(QueueCommands.CreatePause());
root.Subcommands.Add(QueueCommands.CreateResume());
root.Subcommands.Add(QueueCommands.CreateLane());
root.Subcommands.Add(StatsCommand.Create());
root.Subcommands.Add(RecurringCommands.Create());
root.Subcommands.Add(WorkersCommand.Create());
root.Subcommands.Add(TopicCommands.CreatePublish());
root.Subcommands.Add(TopicCommands.CreateSubscribe());
root.Subcommands.Add(TopicCommands.CreateList());

// The server's host handles Ctrl-C and SIGTERM itself (graceful shutdown); the parser must not cut it short.
// No response files: "@hourly" is a cron macro, not a file of arguments.
var parser = new ParserConfiguration { ResponseFileTokenReplacer = null };
var parse = root.Parse(args, parser);
// A command line that does not parse (an unknown option, a flag out of range) is bad usage: one line per problem on
// stderr and exit 2, without the whole help text (the last line says where it is).
if (parse.Action is ParseErrorAction)
{
    foreach (var error in parse.Errors) Console.Error.WriteLine("gantry: " + error.Message);
    var verb = string.Join(' ', VerbWords(parse.CommandResult));
    Console.Error.WriteLine($"Run 'gantry {(verb.Length > 0 ? verb + " " : "")}--help' for usage.");
    return ExitCodes.Usage;
}
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

// The verb's words below the root command: "recurring set".
static IEnumerable<string> VerbWords(CommandResult result)
{
    var words = new Stack<string>();
    for (SymbolResult? r = result; r is CommandResult { Parent: not null } command; r = command.Parent) words.Push(command.Command.Name);
    return words;
}
