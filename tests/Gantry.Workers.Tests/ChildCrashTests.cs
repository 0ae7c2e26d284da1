using Gantry.Client;
using Gantry.Testing;
using Gantry.Workers.Tests.Infrastructure;

namespace Gantry.Workers.Tests;

/// <summary>A child killed with SIGKILL in the middle of a job: the job's lease runs out, another child runs it, the
/// parent logs how the child died and starts a new one.</summary>
public sealed class ChildCrashTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task A_job_of_a_killed_child_runs_again_elsewhere_and_the_child_is_restarted()
    {
        var queue = ServerFixture.Queue("crash");
        var folder = WorkerManager.NewFolder();
        var release = Path.Combine(folder.Path, "release");
        // The first attempt reports its child's PID and blocks; later attempts answer at once.
        WorkerManager.Script(folder, "block.sh", $"""
            cat >/dev/null
            if [ "$GANTRY_JOB_ATTEMPT" = 1 ]; then
              echo $PPID > running.tmp && mv running.tmp running
              i=0
              while [ ! -f "{release}" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
            fi
            echo "attempt $GANTRY_JOB_ATTEMPT by $PPID"
            """);
        await using var manager = await WorkerManager.StartAsync(server, folder, $"""
            pools:
              - name: crash
                queues: [{queue}]
                command: ["./block.sh"]
                processes: 2
            """);
        try
        {
            await manager.WaitForReadyAsync();
            var id = await server.Client.EnqueueTextAsync(queue, "work", new EnqueueOptions { Timeout = TimeSpan.FromSeconds(2) });
            var running = Path.Combine(folder.Path, "running");
            await Eventually.TrueAsync(() => File.Exists(running), "the first attempt to start");
            var victim = int.Parse(File.ReadAllText(running).Trim());

            Posix.Kill(victim, Posix.SIGKILL);

            var job = await server.Client.FinishedAsync(id);
            Assert.Equal("succeeded", job.State);
            Assert.Equal(2, job.Attempt);
            Assert.StartsWith("attempt 2 by ", job.ResultText());
            Assert.NotEqual(victim.ToString(), job.ResultText().Trim().Split(' ')[^1]);

            await manager.Process.WaitForLineAsync(l => l.Contains("killed by signal 9 (SIGKILL") && l.Contains($"pid={victim}"), "the line saying how the child died");
            var status = await manager.WaitForStatusAsync(s => s.Pools[0].Children.Sum(c => c.Restarts) == 1
                && s.Pools[0].Children.All(c => c.State == "ready" && c.Pid is not null && c.Pid != victim), "the restarted child");
            Assert.Contains(status.Pools[0].Children, c => c.LastExit?.Contains("SIGKILL") == true);
        }
        finally
        {
            File.WriteAllText(release, "");
        }
    }
}
