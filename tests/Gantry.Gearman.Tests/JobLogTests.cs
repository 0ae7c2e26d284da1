using Gantry.Gearman.Tests.Infrastructure;
using Xunit;
using static Gantry.Gearman.Tests.Infrastructure.GearmanTools;

namespace Gantry.Gearman.Tests;

/// <summary>Jobs of a function's in-memory lane never reach the store, yet each ended attempt is in the job log and the
/// per-queue statistics like any other job's: run by the <c>gearman</c> tool as worker and client.</summary>
public sealed class JobLogTests
{
    [Fact]
    public async Task Memory_lane_jobs_are_logged_and_counted_with_their_outcomes()
    {
        await using var server = await GearmanServer.StartGantryAsync(new Dictionary<string, string?>
        {
            ["Logging__LogLevel__Gantry.JobLog"] = "Information",
        });
        var function = Names.Function("logged");
        // The worker succeeds on "ok" and fails (non-zero exit, so WORK_FAIL) on anything else.
        await using (var worker = StartCliWorker(server, function, ["sh", "-c", "read x; [ \"$x\" = ok ]"]))
        {
            for (var i = 0; i < 3; i++)
            {
                var ok = await GearmanAsync(server, "-f", function, "ok");
                Assert.True(ok.ExitCode == 0, $"client: {ok}\n{server.Output}");
            }
            await GearmanAsync(server, "-f", function, "bad");
        }

        using var http = new HttpApi(server.HttpBase);
        var (status, stats, text) = await http.GetAsync($"/api/stats/{function}");
        Assert.True((int)status == 200, text);
        Assert.Equal("memory", stats.GetProperty("lane").GetString());
        var outcomes = stats.GetProperty("outcomes");
        Assert.Equal(3, outcomes.GetProperty("succeeded").GetInt64());
        Assert.Equal(1, outcomes.GetProperty("dead").GetInt64());
        Assert.Equal(4, stats.GetProperty("process").GetProperty("count").GetInt64());
        Assert.Matches($@"Job \d+ succeeded on {function} attempt 1: delay [\d.]+ ms, process [\d.]+ ms", server.Output);
        Assert.Matches($@"Job \d+ dead on {function} attempt 1", server.Output);
    }
}
