using System.Text.RegularExpressions;
using Gantry.Gearman.Tests.Infrastructure;
using Gantry.Testing;
using Xunit;
using static Gantry.Gearman.Tests.Infrastructure.GearmanTools;

namespace Gantry.Gearman.Tests;

/// <summary><c>gearadmin</c> (the admin text protocol) against live state: <c>--status</c>, <c>--workers</c>,
/// <c>--show-jobs</c> and <c>--cancel-job</c>.</summary>
public sealed partial class GearadminTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private readonly GearmanServer _server = shared.Server;

    [Fact]
    public async Task Status_workers_and_show_jobs_follow_queued_and_running_jobs_and_connected_workers()
    {
        var function = Names.Function("admin");
        var first = await SubmitBackgroundAsync(function, "one");
        var second = await SubmitBackgroundAsync(function, "two");

        // Two jobs queued, none running, no worker: "FUNCTION\tTOTAL\tRUNNING\tAVAILABLE_WORKERS".
        AdminAnswer? status = null;
        await Until.TrueAsync(async () => (status = await GearadminAsync(_server, "--status")).StatusOf(function) is [_, "2", "0", "0"],
            $"--status shows {function} with 2 jobs, 0 running, 0 workers", () => $"{status}\n{_server.Output}");

        var jobs = await GearadminAsync(_server, "--show-jobs");
        Assert.True(jobs.ExitCode == 0, jobs.ToString());
        Assert.Contains(jobs.Lines, l => l.Split('\t')[0] == first);
        Assert.Contains(jobs.Lines, l => l.Split('\t')[0] == second);

        // A worker that takes the first job and never finishes it.
        await using var worker = StartPerlWorker(_server, function, "block");
        await worker.WaitForLineAsync(l => l.StartsWith("start "), "the worker to start a job");
        await Until.TrueAsync(async () => (status = await GearadminAsync(_server, "--status")).StatusOf(function) is [_, "2", "1", "1"],
            $"--status shows {function} with 2 jobs, 1 running, 1 worker", () => $"{status}\nworker: {worker.Stdout}\n{worker.Stderr}\n{_server.Output}");

        // --workers: one line per connection, "FD IP CLIENT_ID : FUNCTION...": the worker's lists the function.
        var workers = await GearadminAsync(_server, "--workers");
        Assert.True(workers.ExitCode == 0, workers.ToString());
        Assert.Contains(workers.Lines, l => l.Split(" : ", 2) is [_, var functions] && functions.Split(' ').Contains(function));

        // When the worker goes, its function has no worker and its job is queued again.
        await worker.KillAsync();
        await Until.TrueAsync(async () => (status = await GearadminAsync(_server, "--status")).StatusOf(function) is [_, "2", "0", "0"],
            $"--status shows {function} with 2 jobs, 0 running, 0 workers after the worker died", () => $"{status}\n{_server.Output}");
        await Until.TrueAsync(async () => !(await GearadminAsync(_server, "--workers")).Lines.Any(l => l.Contains(function)),
            $"--workers no longer lists {function}", () => _server.Output);
    }

    [Fact]
    public async Task Cancel_job_removes_a_queued_background_job_so_that_no_worker_ever_runs_it()
    {
        var function = Names.Function("cancel");
        using var folder = new TempFolder();
        var ran = Path.Combine(folder.Path, "ran.txt");
        var doomed = await SubmitBackgroundAsync(function, "doomed");
        var kept = await SubmitBackgroundAsync(function, "kept");

        var cancel = await GearadminAsync(_server, "--cancel-job", doomed);
        Assert.True(cancel.ExitCode == 0 && cancel.Stdout.Contains("OK"), $"--cancel-job: {cancel}\n{_server.Output}");

        // The cancelled job was the older of the two, so a worker would be handed it first. One worker that takes a
        // single job gets the other one.
        await using var worker = StartCliWorker(_server, function, AppendTo(ran), count: 1);
        var exit = await worker.WaitForExitAsync();
        Assert.True(exit == 0, $"worker exit {exit}: {worker.Stderr}\n{_server.Output}");
        Assert.Equal(["kept"], Until.LinesOf(ran));

        // Nothing is left of either job.
        AdminAnswer? status = null;
        await Until.TrueAsync(async () => (status = await GearadminAsync(_server, "--status")).StatusOf(function) is null or [_, "0", "0", _],
            $"--status shows no job of {function}", () => $"{status}\n{_server.Output}");
        var jobs = await GearadminAsync(_server, "--show-jobs");
        Assert.DoesNotContain(jobs.Lines, l => l.Split('\t')[0] == doomed || l.Split('\t')[0] == kept);
    }

    /// <summary>Submits a background job with <c>gearman -b -v</c> and returns the job handle the server gave it.</summary>
    private async Task<string> SubmitBackgroundAsync(string function, string payload)
    {
        var client = await GearmanAsync(_server, "-v", "-b", "-f", function, payload);
        Assert.True(client.ExitCode == 0, $"client: {client}\n{_server.Output}");
        var match = TaskCreated().Match(client.Stdout);
        Assert.True(match.Success, $"no 'Task created: HANDLE' line: {client}");
        return match.Groups[1].Value;
    }

    [GeneratedRegex(@"Task created: (\S+)")]
    private static partial Regex TaskCreated();
}
