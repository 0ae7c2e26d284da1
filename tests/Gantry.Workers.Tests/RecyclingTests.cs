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

    [Fact]
    public async Task A_child_over_max_memory_mb_is_replaced_and_the_log_is_json_lines()
    {
        var queue = ServerFixture.Queue("memory");
        var folder = WorkerManager.NewFolder();
        WorkerManager.Script(folder, "pid.sh", "cat >/dev/null\necho $PPID\n");
        // Any .NET process is over 1 MB, so every child recycles at its first memory check.
        await using var manager = await WorkerManager.StartAsync(server, folder, $"""
            log_format: json
            pools:
              - name: memory
                queues: [{queue}]
                command: ["./pid.sh"]
                max_memory_mb: 1
            """);

        var status = await manager.WaitForStatusAsync(s => s.Pools[0].Children[0].Recycles >= 2, "two children replaced for memory");
        Assert.Equal(0, status.Pools[0].Children[0].Restarts);
        var lines = manager.Process.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var recycling = lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("msg").GetString() == "child recycling").ToList();
        Assert.NotEmpty(recycling);
        Assert.All(recycling, e => Assert.Equal("max_memory", e.GetProperty("reason").GetString()));
        Assert.All(recycling, e => Assert.True(e.GetProperty("memory_mb").GetDouble() > 1));
    }
}
