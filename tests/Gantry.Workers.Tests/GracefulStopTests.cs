using Gantry.Testing;
using Gantry.Workers.Tests.Infrastructure;

namespace Gantry.Workers.Tests;

/// <summary>SIGTERM: the children finish their in-flight jobs, the parent exits 0 and removes its pid and status
/// files. Before that, <c>gantry workers status</c> shows the pools, children and PIDs.</summary>
public sealed class GracefulStopTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Status_shows_the_children_and_SIGTERM_lets_the_running_job_finish()
    {
        var queue = ServerFixture.Queue("graceful");
        var folder = WorkerManager.NewFolder();
        WorkerManager.Script(folder, "gate.sh", """
            cat >/dev/null
            touch started
            i=0
            while [ ! -f go ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i+1)); done
            echo "finished by $PPID"
            """);
        var pidFile = Path.Combine(folder.Path, "run", "workers.pid");
        await using var manager = await WorkerManager.StartAsync(server, folder, $"""
            pid_file: run/workers.pid
            shutdown_grace: 20s
            pools:
              - name: gated
                queues: [{queue}]
                command: ["./gate.sh"]
                processes: 2
            """);
        var ready = await manager.WaitForReadyAsync();
        Assert.Equal(manager.Process.Id.ToString(), File.ReadAllText(pidFile).Trim());

        var status = await GantryCli.RunAsync(["workers", "status", "--config", manager.ConfigPath]);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("gated", status.Stdout);
        foreach (var pid in WorkerManager.Pids(ready, "gated")) Assert.Contains(pid.ToString(), status.Stdout);
        Assert.Contains($"manager pid {manager.Process.Id}", status.Stdout);

        // A second manager on the same pid file refuses to start.
        var second = await GantryCli.RunAsync(["workers", "--config", manager.ConfigPath, "--server", server.BaseAddress.ToString()]);
        Assert.Equal(1, second.ExitCode);
        Assert.Contains($"names process {manager.Process.Id}, which is running", second.Stderr);
        Assert.DoesNotContain("child started", second.Stdout);

        var id = await server.Client.EnqueueTextAsync(queue, "work");
        await Eventually.TrueAsync(() => File.Exists(Path.Combine(folder.Path, "started")), "the job to start");
        await manager.WaitForStatusAsync(s => s.Pools[0].Children.Any(c => c.CurrentJobs.Any(j => j.Id == id)), "the job in the status file");
        var json = await GantryCli.RunAsync(["workers", "status", "--status-file", manager.StatusPath, "--json"]);
        Assert.Contains($"\"id\": {id}", json.Stdout);

        manager.Signal(Posix.SIGTERM);
        await manager.Process.WaitForLineAsync(l => l.Contains("stopping: children finish their jobs"), "the stopping line");
        File.WriteAllText(Path.Combine(folder.Path, "go"), "");

        Assert.Equal(0, await manager.Process.WaitForExitAsync());
        var job = await server.Client.FinishedAsync(id);
        Assert.Equal("succeeded", job.State);
        Assert.Equal(1, job.Attempt);
        Assert.StartsWith("finished by ", job.ResultText());
        Assert.False(File.Exists(pidFile), "the pid file is removed");
        Assert.False(File.Exists(manager.StatusPath), "the status file is removed");
        var after = await GantryCli.RunAsync(["workers", "status", "--config", manager.ConfigPath]);
        Assert.Equal(1, after.ExitCode);
        Assert.Contains("no worker manager is running", after.Stderr);
    }
}
