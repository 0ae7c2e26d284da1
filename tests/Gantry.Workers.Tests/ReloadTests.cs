using Gantry.Testing;
using Gantry.Workers.Tests.Infrastructure;

namespace Gantry.Workers.Tests;

/// <summary>SIGHUP reloads the workers file: a changed pool gets new children with the new setting, an unchanged pool
/// keeps its children, and no job enqueued around the reload is lost; a file that does not load changes nothing.</summary>
public sealed class ReloadTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static string Config(string changing, string steady, string version) => $"""
        pools:
          - name: changing
            queues: [{changing}]
            command: ["./echo.sh", "{version}"]
            processes: 2
          - name: steady
            queues: [{steady}]
            command: ["./echo.sh", "steady"]
        """;

    [Fact]
    public async Task A_changed_pool_gets_new_children_and_an_unchanged_pool_keeps_its_own()
    {
        var (changing, steady) = (ServerFixture.Queue("changing"), ServerFixture.Queue("steady"));
        var folder = WorkerManager.NewFolder();
        WorkerManager.Script(folder, "echo.sh", "cat >/dev/null\necho \"$1 $PPID\"\n");
        await using var manager = await WorkerManager.StartAsync(server, folder, Config(changing, steady, "v1"));
        var before = await manager.WaitForReadyAsync();
        var (oldChanging, oldSteady) = (WorkerManager.Pids(before, "changing"), WorkerManager.Pids(before, "steady"));

        // Default leases (60 s): a job stranded by a draining child would outlast the wait below.
        var ids = new List<long>();
        for (var i = 0; i < 5; i++) ids.Add(await server.Client.EnqueueTextAsync(changing, $"before {i}"));
        manager.Rewrite(Config(changing, steady, "v2"));
        manager.Signal(Posix.SIGHUP);
        for (var i = 0; i < 5; i++) ids.Add(await server.Client.EnqueueTextAsync(changing, $"around {i}"));

        var after = await manager.WaitForStatusAsync(s => s.Pools.Count == 2
            && WorkerManager.Pids(s, "changing") is { Count: 2 } pids && pids.All(p => p != 0 && !oldChanging.Contains(p))
            && s.Pools.All(p => p.Children.All(c => c.State == "ready")), "new children for the changed pool, the old ones gone");
        Assert.Equal(oldSteady, WorkerManager.Pids(after, "steady"));

        var finished = await Task.WhenAll(ids.Select(server.Client.FinishedAsync));
        Assert.All(finished, j => Assert.Equal("succeeded", j.State));

        var newChanging = WorkerManager.Pids(after, "changing");
        var late = await server.Client.FinishedAsync(await server.Client.EnqueueTextAsync(changing, "after"));
        var parts = late.ResultText().Trim().Split(' ');
        Assert.Equal("v2", parts[0]);
        Assert.Contains(int.Parse(parts[1]), newChanging);
        var steadyJob = await server.Client.FinishedAsync(await server.Client.EnqueueTextAsync(steady, "after"));
        Assert.Contains(int.Parse(steadyJob.ResultText().Trim().Split(' ')[1]), oldSteady);
        Assert.Contains("reload: pool unchanged; its children keep running pool=steady", manager.Process.Stdout);
    }

    [Fact]
    public async Task A_reload_of_a_broken_file_is_logged_and_the_running_pools_stay()
    {
        var (changing, steady) = (ServerFixture.Queue("changing"), ServerFixture.Queue("steady"));
        var folder = WorkerManager.NewFolder();
        WorkerManager.Script(folder, "echo.sh", "cat >/dev/null\necho \"$1 $PPID\"\n");
        await using var manager = await WorkerManager.StartAsync(server, folder, Config(changing, steady, "v1"));
        var before = await manager.WaitForReadyAsync();

        manager.Rewrite("pools:\n  - name: changing\n    queues: [x]\n    processes: many\n");
        manager.Signal(Posix.SIGHUP);

        await manager.Process.WaitForLineAsync(l => l.Contains("reload failed"), "the reload failure");
        var error = await manager.Process.WaitForLineAsync(l => l.Contains("workers.yaml:4:"), "the error with its line");
        Assert.Contains("'processes' must be a whole number", error);
        var job = await server.Client.FinishedAsync(await server.Client.EnqueueTextAsync(changing, "still working"));
        Assert.StartsWith("v1 ", job.ResultText());
        Assert.Equal(WorkerManager.Pids(before, "changing").Order(), WorkerManager.Pids(manager.Status()!, "changing").Order());
    }
}
