using System.Text.RegularExpressions;
using Gantry.Gearman.Tests.Infrastructure;
using Gantry.Testing;
using Xunit;
using static Gantry.Gearman.Tests.Infrastructure.GearmanTools;

namespace Gantry.Gearman.Tests;

/// <summary>The <c>gearman</c> command-line tool (libgearman) as client and as worker: foreground results,
/// background jobs, priorities, and unique ids that coalesce concurrent submissions.</summary>
public sealed partial class GearmanCliTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private readonly GearmanServer _server = shared.Server;

    [Fact]
    public async Task Foreground_job_returns_the_result_of_a_gearman_worker()
    {
        var function = Names.Function("reverse");
        await using var worker = StartCliWorker(_server, function, ["rev"]);

        var client = await GearmanAsync(_server, "-f", function, "hello");

        Assert.True(client.ExitCode == 0, $"client: {client}\n{_server.Output}");
        Assert.Equal("olleh", client.Stdout);
    }

    [Fact]
    public async Task Background_jobs_are_run_by_a_gearman_worker_in_the_order_submitted()
    {
        var function = Names.Function("record");
        using var folder = new TempFolder();
        var ran = Path.Combine(folder.Path, "ran.txt");
        await using var worker = StartCliWorker(_server, function, AppendTo(ran));

        string[] payloads = ["job-1", "job-2", "job-3"];
        foreach (var payload in payloads)
        {
            // -b returns as soon as the server acknowledged the job, long before the worker ran it.
            var client = await GearmanAsync(_server, "-b", "-f", function, payload);
            Assert.True(client.ExitCode == 0, $"client: {client}\n{_server.Output}");
        }

        await Until.TrueAsync(() => Until.LinesOf(ran).Count >= payloads.Length, "the worker ran every background job",
            () => $"ran: [{string.Join(", ", Until.LinesOf(ran))}]\nworker: {worker.Stderr}\n{_server.Output}");
        Assert.Equal(payloads, Until.LinesOf(ran));
    }

    [Fact]
    public async Task Queued_background_jobs_go_to_a_worker_high_priority_first_then_normal_then_low_oldest_first_within_each()
    {
        var function = Names.Function("priority");
        using var folder = new TempFolder();
        var ran = Path.Combine(folder.Path, "ran.txt");

        // No worker yet: all six wait in the queue, submitted with priorities mixed up.
        (string Flag, string Payload)[] submissions =
            [("-L", "low-1"), ("", "normal-1"), ("-I", "high-1"), ("-L", "low-2"), ("", "normal-2"), ("-I", "high-2")];
        foreach (var (flag, payload) in submissions)
        {
            string[] args = flag.Length > 0 ? ["-b", flag, "-f", function, payload] : ["-b", "-f", function, payload];
            var client = await GearmanAsync(_server, args);
            Assert.True(client.ExitCode == 0, $"client {payload}: {client}\n{_server.Output}");
        }

        // One worker that takes exactly six jobs, one at a time, and exits.
        await using var worker = StartCliWorker(_server, function, AppendTo(ran), count: submissions.Length);
        var exit = await worker.WaitForExitAsync();

        Assert.True(exit == 0, $"worker exit {exit}: {worker.Stderr}\n{_server.Output}");
        Assert.Equal(["high-1", "high-2", "normal-1", "normal-2", "low-1", "low-2"], Until.LinesOf(ran));
    }

    [Fact]
    public async Task Two_foreground_submissions_with_the_same_unique_id_run_once_and_both_clients_get_the_result()
    {
        var function = Names.Function("unique");
        var unique = "key-" + Guid.NewGuid().ToString("N");
        using var folder = new TempFolder();
        var runs = Path.Combine(folder.Path, "runs.txt");

        // With no worker connected, the first submission creates the job; -v makes the client print the handle the
        // server answered (JOB_CREATED). The second, with the same unique id, must be handed the same job.
        await using var first = StartGearman(_server, "-v", "-f", function, "-u", unique, "hello");
        var firstHandle = await HandleOf(first);
        await using var second = StartGearman(_server, "-v", "-f", function, "-u", unique, "hello");
        var secondHandle = await HandleOf(second);
        Assert.Equal(firstHandle, secondHandle);

        // The worker records each run and answers the data reversed.
        await using var worker = StartCliWorker(_server, function,
            ["sh", "-c", "d=$(cat); echo \"$d\" >> \"$0\"; printf '%s' \"$d\" | rev", runs]);

        foreach (var client in new[] { first, second })
        {
            var exit = await client.WaitForExitAsync();
            Assert.True(exit == 0, $"client exit {exit}:\n{client.Stdout}\n{client.Stderr}\n{_server.Output}");
            Assert.Equal("olleh", string.Join('\n', client.Stdout.Split('\n').Where(l => !l.StartsWith("Task created:"))));
        }
        Assert.Equal(["hello"], Until.LinesOf(runs));
    }

    private async Task<string> HandleOf(ChildProcess client)
    {
        var line = await client.WaitForLineAsync(l => TaskCreated().IsMatch(l), "the client's 'Task created: HANDLE' line (JOB_CREATED)");
        return TaskCreated().Match(line).Groups[1].Value;
    }

    [GeneratedRegex(@"^Task created: (\S+)")]
    private static partial Regex TaskCreated();
}
