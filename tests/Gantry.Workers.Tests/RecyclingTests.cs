using Gantry.Testing;
using Gantry.Workers.Tests.Infrastructure;

namespace Gantry.Workers.Tests;

/// <summary>Prefork and recycling, proven by PIDs: each external command prints its parent's PID, which is the child
/// process that ran it.</summary>
public sealed class RecyclingTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const int Jobs = 20, MaxJobsPerChild = 5;

    [Fact]
    public async Task Children_are_replaced_after_max_jobs_per_child_and_no_job_is_lost()
    {
        var queue = ServerFixture.Queue("recycle");
        var folder = WorkerManager.NewFolder();
        WorkerManager.Script(folder, "pid.sh", "cat >/dev/null\necho $PPID\n");
        await using var manager = await WorkerManager.StartAsync(server, folder, $"""
            pools:
              - name: recycle
                queues: [{queue}]
                command: ["./pid.sh"]
                processes: 2
                max_jobs_per_child: {MaxJobsPerChild}
                timeout: 30s
            """);
        var first = await manager.WaitForReadyAsync();
        var firstPids = WorkerManager.Pids(first, "recycle");

        var ids = new List<long>();
        for (var i = 0; i < Jobs; i++) ids.Add(await server.Client.EnqueueTextAsync(queue, $"job {i}"));
        var finished = await Task.WhenAll(ids.Select(server.Client.FinishedAsync));

        Assert.All(finished, j => Assert.Equal("succeeded", j.State));
        var pids = finished.Select(j => int.Parse(j.ResultText().Trim())).ToList();
        Assert.True(pids.Distinct().Count() >= Jobs / MaxJobsPerChild, $"expected at least {Jobs / MaxJobsPerChild} children, saw PIDs {string.Join(",", pids)}");
        // A child never leases beyond its budget: no PID ran more than max_jobs_per_child jobs.
        Assert.All(pids.GroupBy(p => p), g => Assert.True(g.Count() <= MaxJobsPerChild, $"PID {g.Key} ran {g.Count()} jobs"));
        Assert.Contains(pids, firstPids.Contains);

        // Every recycled child said why, and the parent logged every job.
        await Eventually.TrueAsync(() => manager.Process.Stdout.Split('\n').Count(l => l.Contains("child recycled")) >= Jobs / MaxJobsPerChild - 1,
            "the recycled lines");
        foreach (var id in ids) Assert.Contains($"job={id} queue={queue}", manager.Process.Stdout);
    }
}
