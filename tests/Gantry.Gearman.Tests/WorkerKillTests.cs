using Gantry.Gearman.Tests.Infrastructure;
using Xunit;
using static Gantry.Gearman.Tests.Infrastructure.GearmanTools;

namespace Gantry.Gearman.Tests;

/// <summary>A worker killed with SIGKILL in the middle of a job: the job goes to another worker and the client that
/// waits in the foreground still gets its result.</summary>
public sealed class WorkerKillTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private readonly GearmanServer _server = shared.Server;

    [Fact]
    public async Task Job_of_a_worker_killed_mid_job_is_completed_by_another_worker_for_the_waiting_client()
    {
        var function = Names.Function("killed");
        await using var doomed = StartPerlWorker(_server, function, "block");
        await doomed.WaitForLineAsync(l => l == "registered", "the first worker to register");
        await using var client = StartGearman(_server, "-f", function, "hello");

        await doomed.WaitForLineAsync(l => l.StartsWith("start ") && l.EndsWith(" hello"), "the first worker to start the job");
        await doomed.KillAsync();
        Assert.False(client.HasExited, $"the client gave up when the worker died: {client.Stdout}\n{client.Stderr}");

        await using var rescuer = StartCliWorker(_server, function, ["rev"]);
        var exit = await client.WaitForExitAsync();

        Assert.True(exit == 0, $"client exit {exit}: {client.Stdout}\n{client.Stderr}\n{_server.Output}");
        Assert.Equal("olleh", client.Stdout);
    }
}
