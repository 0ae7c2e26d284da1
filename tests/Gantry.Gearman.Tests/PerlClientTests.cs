using Gantry.Gearman.Tests.Infrastructure;
using Gantry.Testing;
using Xunit;
using static Gantry.Gearman.Tests.Infrastructure.GearmanTools;

namespace Gantry.Gearman.Tests;

/// <summary>Perl's Gearman::Client and Gearman::Worker (scripts in perl/): foreground, background, a task set, job
/// status with progress reported by the worker, and a failing worker.</summary>
public sealed class PerlClientTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private readonly GearmanServer _server = shared.Server;

    [Fact]
    public async Task Do_task_returns_the_result_of_a_perl_worker()
    {
        var function = Names.Function("perl_reverse");
        await using var worker = StartPerlWorker(_server, function, "reverse");

        var client = await PerlAsync("do_task.pl", _server.Address, function, "hello perl");

        Assert.True(client.ExitCode == 0, $"client: {client}\nworker: {worker.Stdout}\n{worker.Stderr}\n{_server.Output}");
        Assert.Equal("result: lrep olleh", client.Stdout);
    }

    [Fact]
    public async Task Dispatch_background_returns_a_handle_and_the_worker_runs_that_job()
    {
        var function = Names.Function("perl_background");
        await using var worker = StartPerlWorker(_server, function, "reverse");

        var client = await PerlAsync("dispatch_background.pl", _server.Address, function, "in the background");

        Assert.True(client.ExitCode == 0, $"client: {client}\n{_server.Output}");
        // Gearman::Client gives the handle as JOB_SERVER//JOB_HANDLE; the worker sees JOB_HANDLE in JOB_ASSIGN.
        Assert.StartsWith($"handle: {_server.Address}//", client.Stdout);
        var handle = client.Stdout[$"handle: {_server.Address}//".Length..].Trim();
        await worker.WaitForLineAsync(l => l == $"start {handle} in the background", $"the worker to start job {handle}");
        await worker.WaitForLineAsync(l => l == "done in the background", "the worker to finish the job");
    }

    [Fact]
    public async Task A_task_set_of_several_tasks_waits_for_all_results()
    {
        var function = Names.Function("perl_set");
        await using var worker1 = StartPerlWorker(_server, function, "reverse");
        await using var worker2 = StartPerlWorker(_server, function, "reverse");
        string[] args = ["abc", "hello", "gearman", "12345", "x"];

        var client = await PerlAsync("task_set.pl", [_server.Address, function, .. args]);

        Assert.True(client.ExitCode == 0, $"client: {client}\n{_server.Output}");
        Assert.Equal(args.Select(a => $"{a} => {new string(a.Reverse().ToArray())}"), client.Stdout.Split('\n'));
    }

    [Fact]
    public async Task Get_status_reports_a_queued_job_then_the_progress_its_worker_sets_then_an_unknown_job_once_done()
    {
        var function = Names.Function("perl_status");
        using var folder = new TempFolder();
        var release = Path.Combine(folder.Path, "release");

        // Queued, no worker yet: known, not running.
        var submitted = await PerlAsync("dispatch_background.pl", _server.Address, function, "long job");
        Assert.True(submitted.ExitCode == 0, $"client: {submitted}\n{_server.Output}");
        var handle = submitted.Stdout["handle: ".Length..].Trim();
        Assert.Equal("known=1 running=0 numerator=0 denominator=0", await StatusAsync(handle));

        // The worker calls $job->set_status(3, 7) and holds the job until the test creates the release file.
        await using var worker = StartPerlWorker(_server, function, "progress", release);
        await worker.WaitForLineAsync(l => l == "status sent", "the worker to report its progress");
        var status = "";
        await Until.TrueAsync(async () => (status = await StatusAsync(handle)) == "known=1 running=1 numerator=3 denominator=7",
            "get_status to show the job running at 3/7", () => $"last: {status}\nworker: {worker.Stdout}\n{worker.Stderr}\n{_server.Output}");

        File.WriteAllText(release, "");
        await worker.WaitForLineAsync(l => l == "done long job", "the worker to finish the job");
        await Until.TrueAsync(async () => (status = await StatusAsync(handle)).StartsWith("known=0 running=0 "),
            "get_status to no longer know the finished job", () => $"last: {status}\n{_server.Output}");
    }

    [Fact]
    public async Task A_worker_that_reports_failure_makes_the_clients_on_fail_run()
    {
        var function = Names.Function("perl_fail");
        await using var worker = StartPerlWorker(_server, function, "fail");

        var client = await PerlAsync("on_fail.pl", _server.Address, function, "doomed");

        Assert.True(client.ExitCode == 0, $"client: {client}\nworker: {worker.Stdout}\n{worker.Stderr}\n{_server.Output}");
        // Gearman::Taskset calls on_fail with "jshandle fail" when WORK_FAIL arrives (a timeout or a lost connection
        // gives another reason).
        Assert.Equal("on_fail: jshandle fail", client.Stdout);
        Assert.Contains("failing doomed", worker.Stdout);
    }

    /// <summary>A Perl handler that dies makes Gearman::Worker send WORK_EXCEPTION, then WORK_FAIL. The client did not
    /// ask for exceptions (OPTION_REQ), so it is owed one WORK_FAIL carrying the job handle. gearmand 1.1.20 does not
    /// pass this: it turns the exception into a WORK_FAIL whose handle has a NUL appended (gearmand issue 108), which
    /// Gearman::Client cannot match ("Got work_fail for unknown handle"), and it answers the worker's own WORK_FAIL with
    /// ERROR JOB_NOT_FOUND, which ends the Perl worker. Hence Gantry only.</summary>
    [Fact]
    [Trait("Server", "Gantry")]
    public async Task A_worker_that_dies_makes_the_clients_on_fail_run_and_keeps_working()
    {
        var function = Names.Function("perl_die");
        await using var worker = StartPerlWorker(_server, function, "die");

        var client = await PerlAsync("on_fail.pl", _server.Address, function, "doomed");

        Assert.True(client.ExitCode == 0, $"client: {client}\nworker: {worker.Stdout}\n{worker.Stderr}\n{_server.Output}");
        Assert.Equal("on_fail: jshandle fail", client.Stdout);
        Assert.Contains("dying doomed", worker.Stdout);

        // The same worker process takes the next job.
        var next = await PerlAsync("on_fail.pl", _server.Address, function, "next");
        Assert.True(next.ExitCode == 0 && next.Stdout == "on_fail: jshandle fail",
            $"client: {next}\nworker: {worker.Stdout}\n{worker.Stderr}\n{_server.Output}");
        Assert.Contains("dying next", worker.Stdout);
    }

    private async Task<string> StatusAsync(string handle)
    {
        var answer = await PerlAsync("get_status.pl", _server.Address, handle);
        Assert.True(answer.ExitCode == 0, $"get_status: {answer}\n{_server.Output}");
        return answer.Stdout.Trim();
    }
}
