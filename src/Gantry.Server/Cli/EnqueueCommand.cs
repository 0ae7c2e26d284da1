using System.CommandLine;
using Gantry.Client;
using Gantry.Contracts;
using Gantry.Core.Jobs;
using Gantry.Core.Options;

namespace Gantry.Server.Cli;

/// <summary><c>gantry enqueue QUEUE PAYLOAD</c>: prints the new job's id, or with <c>--wait</c> its result.</summary>
internal static class EnqueueCommand
{
    /// <summary>The longest <c>--wait</c>: as far ahead as a job can be scheduled (<see cref="EnqueueRules.MaxScheduleAhead"/>),
    /// so that any job can be waited for. The CLI waits in long polls of at most the server's default
    /// <see cref="JobLimits.DefaultMaxWait"/>, however long the wait.</summary>
    public static readonly TimeSpan MaxWait = EnqueueRules.MaxScheduleAhead;

    public static Command Create()
    {
        var queue = new Argument<string>("QUEUE") { Description = "The queue to add the job to" };
        var payload = new Argument<string>("PAYLOAD") { Description = "The payload: JSON is stored as is, other text as its UTF-8 bytes; - reads stdin" };
        var wait = Flags.Seconds("--wait", "Wait up to SECONDS for the job to finish and print its result", TimeSpan.Zero, MaxWait);
        var priority = Flags.WholeNumber("--priority", "Higher runs first [default: 0]");
        var delay = Flags.Seconds("--delay", "Do not start before SECONDS from now", TimeSpan.Zero, EnqueueRules.MaxScheduleAhead);
        var runAt = Flags.Time("--run-at", "Do not start before this time (ISO 8601)");
        var uniqueKey = new Option<string?>("--unique-key") { Description = "While a live job holds this key, return that job instead", HelpName = "KEY" };
        var maxAttempts = Flags.WholeNumber("--max-attempts", "Attempts before the job is dead [default: 20]", 1, JobLimits.HighestMaxAttemptsCeiling);
        var timeout = Flags.Seconds("--timeout", "Lease length in seconds [default: 60]", JobLimits.MinTimeout, JobLimits.HighestMaxTimeout);
        var text = PayloadInput.TextOption();

        var command = new Command("enqueue", "Enqueue a job and print its id (with --wait, its result).")
        {
            queue, payload, wait, priority, delay, runAt, uniqueKey, maxAttempts, timeout, text,
        };
        ClientSettings.AddTo(command);
        // Every flag is parsed and checked before this runs (see Flags): nothing reaches the server that could make it
        // refuse the wait after the job was enqueued.
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            using var client = ClientSettings.Client(parse);
            var bytes = await PayloadInput.ReadAsync(parse.GetValue(payload)!, ct);
            if (!parse.GetValue(text) && PayloadInput.NotJsonWarning(bytes) is { } warning) Console.Error.WriteLine("gantry: " + warning);
            var options = new EnqueueOptions
            {
                Priority = parse.GetValue(priority),
                Delay = parse.GetValue(delay) is { } d ? TimeSpan.FromSeconds(d) : null,
                RunAt = parse.GetValue(runAt),
                UniqueKey = parse.GetValue(uniqueKey),
                MaxAttempts = parse.GetValue(maxAttempts),
                Timeout = parse.GetValue(timeout) is { } t ? TimeSpan.FromSeconds(t) : null,
            };
            var job = await client.EnqueueBytesAsync(parse.GetValue(queue)!, bytes, options, ct);
            if (parse.GetValue(wait) is not { } seconds)
            {
                Console.WriteLine(job.Id);
                if (job.Existing) Console.Error.WriteLine($"gantry: job {job.Id} already held unique key '{options.UniqueKey}'; no new job was made.");
                return ExitCodes.Ok;
            }
            try
            {
                return PrintOutcome(await WaitAsync(client, job.Id, TimeSpan.FromSeconds(seconds), ct), seconds);
            }
            catch (Exception ex) when (ex is GantryApiException or HttpRequestException or TimeoutException)
            {
                // The job exists: say which, so that the wait can be taken up again with `gantry job ID`.
                throw new CliException($"job {job.Id} is enqueued, but waiting for it failed: {CliErrors.Describe(ex)}", ExitCodes.Failed);
            }
        }));
        return command;
    }

    /// <summary>Waits up to <paramref name="wait"/> in long polls no longer than a server allows by default. A server
    /// configured with a shorter <c>Gantry:Limits:MaxWait</c> refuses such a poll (400 on <c>timeout</c>); the polls are
    /// then halved until it takes them, so a long <c>--wait</c> works against any server.</summary>
    private static async Task<JobView> WaitAsync(GantryClient client, long id, TimeSpan wait, CancellationToken ct)
    {
        var time = TimeProvider.System;
        var started = time.GetTimestamp();
        var poll = JobLimits.DefaultMaxWait;
        while (true)
        {
            var left = wait - time.GetElapsedTime(started);
            if (left < TimeSpan.Zero) left = TimeSpan.Zero;
            var timeout = left < poll ? left : poll;
            JobView job;
            try
            {
                job = await client.WaitAsync(id, timeout, ct);
            }
            catch (GantryApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.BadRequest && ex.Field == "timeout" &&
                                                timeout > MinPoll)
            {
                poll = timeout / 2 > MinPoll ? timeout / 2 : MinPoll;
                continue;
            }
            if (job.Finished || left <= timeout) return job;
        }
    }

    /// <summary>The shortest long poll the wait falls back to (a server may not allow less than a second of waiting
    /// to be worth a request).</summary>
    private static readonly TimeSpan MinPoll = TimeSpan.FromSeconds(1);

    /// <summary>Prints the result of a finished job (exit 0), its last error (exit 1), or that it is still going (exit 124).</summary>
    internal static int PrintOutcome(JobView job, double waited)
    {
        if (!job.Finished)
        {
            Console.Error.WriteLine($"gantry: job {job.Id} is still {job.State} after {waited:0.###} s.");
            return ExitCodes.TimedOut;
        }
        if (job.State != "succeeded")
        {
            var error = job.Errors.LastOrDefault();
            Console.Error.WriteLine($"gantry: job {job.Id} ended {job.State}{(error is null ? "" : ": " + error.Message)}");
            return ExitCodes.Failed;
        }
        var result = PayloadOutput.ForStdout(Payloads.FromWire(job.Result, job.ResultBase64, "result"));
        using var stdout = Console.OpenStandardOutput();
        stdout.Write(result.Span);
        if (result.Length > 0 && result.Span[^1] != (byte)'\n') stdout.WriteByte((byte)'\n');
        return ExitCodes.Ok;
    }
}
