using Gantry.Client;
using Gantry.Testing;
using Gantry.Workers.Tests.Infrastructure;

namespace Gantry.Workers.Tests;

/// <summary>External-command pools, the <c>gearman -w</c> model: payload on stdin, stdout as the result, exit code 0
/// for success; a non-zero exit fails the job with the end of stderr; a command past its timeout is killed.</summary>
public sealed class CommandWorkerTests : IClassFixture<ServerFixture>, IAsyncLifetime
{
    private readonly ServerFixture _server;
    private readonly string _upper = ServerFixture.Queue("upper"), _failing = ServerFixture.Queue("failing"), _slow = ServerFixture.Queue("slow"),
        _chatty = ServerFixture.Queue("chatty");
    private WorkerManager _manager = null!;

    public CommandWorkerTests(ServerFixture server) => _server = server;

    public async Task InitializeAsync()
    {
        var folder = WorkerManager.NewFolder();
        WorkerManager.Script(folder, "upper.sh", "tr a-z A-Z\n");
        WorkerManager.Script(folder, "fail.sh", "cat >/dev/null\necho 'some progress'\necho \"cannot convert $GANTRY_JOB_ID: disk full\" >&2\nexit 3\n");
        WorkerManager.Script(folder, "slow.sh", "cat >/dev/null\necho $$ > sleeper.tmp && mv sleeper.tmp sleeper\nsleep 30\necho never\n");
        WorkerManager.Script(folder, "chatty.sh", "cat >/dev/null\nhead -c 2000000 /dev/zero\n");
        _manager = await WorkerManager.StartAsync(_server, folder, $"""
            pools:
              - name: upper
                queues: [{_upper}]
                command: ["./upper.sh"]
              - name: failing
                queues: [{_failing}]
                command: ["./fail.sh"]
              - name: slow
                queues: [{_slow}]
                command: ["./slow.sh"]
                timeout: 500ms
              - name: chatty
                queues: [{_chatty}]
                command: ["./chatty.sh"]
            """);
        await _manager.WaitForReadyAsync();
    }

    public async Task DisposeAsync() => await _manager.DisposeAsync();

    [Fact]
    public async Task Stdout_is_the_result_of_a_command_that_exits_0()
    {
        var job = await _server.Client.FinishedAsync(await _server.Client.EnqueueTextAsync(_upper, "{\"name\":\"ada\"}"));

        Assert.Equal("succeeded", job.State);
        Assert.Equal("{\"NAME\":\"ADA\"}", job.ResultText().Trim());
        await _manager.Process.WaitForLineAsync(l => l.Contains($"job={job.Id} ") && l.Contains("outcome=succeeded") && l.Contains("process_ms="),
            "the per-job log line");
    }

    [Fact]
    public async Task A_non_zero_exit_fails_the_job_with_the_end_of_stderr_and_it_is_retried()
    {
        var id = await _server.Client.EnqueueTextAsync(_failing, "x", new EnqueueOptions { MaxAttempts = 2 });
        var job = await _server.Client.FinishedAsync(id);

        Assert.Equal("dead", job.State);
        Assert.Equal(2, job.Errors.Count);
        Assert.All(job.Errors, e => Assert.Contains($"fail.sh exited with code 3: cannot convert {id}: disk full", e.Message));
        Assert.DoesNotContain("some progress", job.Errors());
    }

    [Fact]
    public async Task A_command_past_its_timeout_is_killed_and_the_job_fails()
    {
        var id = await _server.Client.EnqueueTextAsync(_slow, "x", new EnqueueOptions { MaxAttempts = 1 });
        var job = await _server.Client.FinishedAsync(id);

        Assert.Equal("dead", job.State);
        Assert.Contains("timed out after 500ms", job.Errors());
        var sleeper = int.Parse(File.ReadAllText(Path.Combine(_manager.Folder.Path, "sleeper")).Trim());
        await Eventually.TrueAsync(() => !Posix.IsAlive(sleeper), $"the timed-out command (pid {sleeper}) to be killed");
    }

    [Fact]
    public async Task A_result_larger_than_a_job_may_hold_discards_the_job_with_the_reason()
    {
        var id = await _server.Client.EnqueueTextAsync(_chatty, "x", new EnqueueOptions { MaxAttempts = 3 });
        var job = await _server.Client.FinishedAsync(id);

        Assert.Equal("dead", job.State);
        Assert.Single(job.Errors); // discarded at once: the same input prints as much again
        Assert.Contains("chatty.sh wrote 2000000 bytes to stdout; a job's result is at most 1048576 bytes", job.Errors());
    }
}
