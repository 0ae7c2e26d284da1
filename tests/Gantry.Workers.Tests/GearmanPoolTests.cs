using Gantry.Testing;
using Gantry.Workers.Tests.Infrastructure;

namespace Gantry.Workers.Tests;

/// <summary>
/// A pool of Gearman functions: the children are Gearman workers on the server's Gearman port, and the jobs come from the
/// real <c>gearman</c> command-line client (libgearman), on the function's in-memory lane.
/// The command prints its parent's PID, which is the child's, so recycling is visible to the client.
/// </summary>
public sealed class GearmanPoolTests : IClassFixture<ServerFixture>, IAsyncLifetime
{
    private readonly ServerFixture _server;
    private readonly string _upper = ServerFixture.Queue("gm-upper"), _failing = ServerFixture.Queue("gm-fail");
    private WorkerManager _manager = null!;
    private TempFolder _folder = null!;

    public GearmanPoolTests(ServerFixture server) => _server = server;

    public async Task InitializeAsync()
    {
        _folder = WorkerManager.NewFolder();
        WorkerManager.Script(_folder, "upper.sh", "tr a-z A-Z\nprintf ' by %s' \"$PPID\"\n");
        WorkerManager.Script(_folder, "fail.sh", "cat >/dev/null\necho 'no such image' >&2\nexit 2\n");
        _manager = await WorkerManager.StartAsync(_server, _folder, $"""
            gearman: {_server.GearmanAddress}
            pools:
              - name: upper
                functions: [{_upper}]
                command: ["./upper.sh"]
                max_jobs_per_child: 3
              - name: failing
                functions: [{_failing}]
                command: ["./fail.sh"]
            """);
        await _manager.WaitForReadyAsync();
    }

    public async Task DisposeAsync() => await _manager.DisposeAsync();

    private Task<ProcessResult> GearmanAsync(params string[] arguments)
    {
        var colon = _server.GearmanAddress.LastIndexOf(':');
        return ChildProcess.RunAsync("gearman", ["-h", _server.GearmanAddress[..colon], "-p", _server.GearmanAddress[(colon + 1)..], .. arguments]);
    }

    [Fact]
    public async Task Foreground_gearman_jobs_get_the_commands_output_and_children_are_recycled_by_pid()
    {
        var pids = new HashSet<string>();
        for (var i = 0; i < 7; i++)
        {
            var r = await GearmanAsync("-f", _upper, $"hello {i}");
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.StartsWith($"HELLO {i} by ", r.Stdout);
            pids.Add(r.Stdout.Trim()[$"HELLO {i} by ".Length..]);
        }
        // 3 jobs per child: the seven jobs need at least three children, one after the other.
        Assert.True(pids.Count >= 3, $"child PIDs: {string.Join(", ", pids)}");
        await _manager.Process.WaitForLineAsync(l => l.Contains("child recycling") && l.Contains("max_jobs"), "a recycling line");
    }

    [Fact]
    public async Task A_failing_command_is_a_work_fail_for_the_gearman_client()
    {
        var r = await GearmanAsync("-f", _failing, "x");

        Assert.NotEqual(0, r.ExitCode);
        Assert.DoesNotContain("by", r.Stdout);
        await _manager.Process.WaitForLineAsync(l => l.Contains("job failed") && l.Contains("no such image"), "the failed job's log line");
    }
}
