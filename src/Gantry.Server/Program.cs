using System.CommandLine;
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

// The server's host handles Ctrl-C and SIGTERM itself (graceful shutdown); the parser must not cut it short.
// No response files: "@hourly" is a cron macro, not a file of arguments.
var parser = new ParserConfiguration { ResponseFileTokenReplacer = null };
return await root.Parse(args, parser).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
