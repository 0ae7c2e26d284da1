using System.CommandLine;
using System.Text;
using Gantry.Client;
using Gantry.Contracts;

namespace Gantry.Server.Cli;

/// <summary><c>gantry enqueue QUEUE PAYLOAD</c>: prints the new job's id, or with <c>--wait</c> its result.</summary>
internal static class EnqueueCommand
{
    /// <summary>Exit code when <c>--wait</c> runs out before the job finishes (as timeout(1) does).</summary>
    public const int TimedOutExitCode = 124;

    public static Command Create()
    {
        var queue = new Argument<string>("QUEUE") { Description = "The queue to add the job to" };
        var payload = new Argument<string>("PAYLOAD") { Description = "The payload: JSON is stored as is, other text as its UTF-8 bytes; - reads stdin" };
        var wait = new Option<double?>("--wait") { Description = "Wait up to SECONDS for the job to finish and print its result", HelpName = "SECONDS" };
        var priority = new Option<int?>("--priority") { Description = "Higher runs first [default: 0]", HelpName = "N" };
        var delay = new Option<double?>("--delay") { Description = "Do not start before SECONDS from now", HelpName = "SECONDS" };
        var runAt = new Option<DateTimeOffset?>("--run-at") { Description = "Do not start before this time (ISO 8601)", HelpName = "TIME" };
        var uniqueKey = new Option<string?>("--unique-key") { Description = "While a live job holds this key, return that job instead", HelpName = "KEY" };
        var maxAttempts = new Option<int?>("--max-attempts") { Description = "Attempts before the job is dead [default: 20]", HelpName = "N" };
        var timeout = new Option<double?>("--timeout") { Description = "Lease length in seconds [default: 60]", HelpName = "SECONDS" };
        var text = PayloadInput.TextOption();

        var command = new Command("enqueue", "Enqueue a job and print its id (with --wait, its result).")
        {
            queue, payload, wait, priority, delay, runAt, uniqueKey, maxAttempts, timeout, text,
        };
        ClientSettings.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            using var client = ClientSettings.Client(parse);
            var bytes = await ReadPayload(parse.GetValue(payload)!, ct);
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
                return 0;
            }
            return PrintOutcome(await client.WaitAsync(job.Id, TimeSpan.FromSeconds(seconds), ct), seconds);
        }));
        return command;
    }

    private static async Task<byte[]> ReadPayload(string payload, CancellationToken ct)
    {
        if (payload != "-") return Encoding.UTF8.GetBytes(payload);
        using var stdin = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        await stdin.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    /// <summary>Prints the result of a finished job (exit 0), its last error (exit 1), or that it is still going (exit 124).</summary>
    internal static int PrintOutcome(JobView job, double waited)
    {
        if (!job.Finished)
        {
            Console.Error.WriteLine($"gantry: job {job.Id} is still {job.State} after {waited:0.###} s.");
            return TimedOutExitCode;
        }
        if (job.State != "succeeded")
        {
            var error = job.Errors.LastOrDefault();
            Console.Error.WriteLine($"gantry: job {job.Id} ended {job.State}{(error is null ? "" : ": " + error.Message)}");
            return 1;
        }
        var result = PayloadOutput.ForStdout(Payloads.FromWire(job.Result, job.ResultBase64, "result"));
        using var stdout = Console.OpenStandardOutput();
        stdout.Write(result.Span);
        if (result.Length > 0 && result.Span[^1] != (byte)'\n') stdout.WriteByte((byte)'\n');
        return 0;
    }
}
