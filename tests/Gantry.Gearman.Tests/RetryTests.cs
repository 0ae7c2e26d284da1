using System.Text.Json;
using Gantry.Gearman.Tests.Infrastructure;
using Gantry.Testing;
using Xunit;
using static Gantry.Gearman.Tests.Infrastructure.GearmanTools;

namespace Gantry.Gearman.Tests;

/// <summary>Gantry only: <c>Gantry:Gearman:Functions:NAME:Retries=N</c> runs a failed background job of a durable
/// function again, after a backoff, up to N times (gearmand would drop it).</summary>
[Trait("Server", "Gantry")]
public sealed class RetryTests
{
    [Fact]
    public async Task A_background_job_whose_worker_fails_the_first_time_is_retried_and_ends_succeeded()
    {
        var function = Names.Function("retry");
        await using var server = await GearmanServer.StartGantryAsync(new Dictionary<string, string?>
        {
            [$"GANTRY_GEARMAN__FUNCTIONS__{function}__LANE"] = "durable",
            [$"GANTRY_GEARMAN__FUNCTIONS__{function}__RETRIES"] = "2",
            ["GANTRY_RETRY__BASEDELAY"] = "00:00:00.1", // Gearman jobs retry with the queues' backoff
        });
        using var http = new HttpApi(server.HttpBase);
        using var folder = new TempFolder();

        // The Perl worker dies on its first job (Gearman::Worker then sends WORK_EXCEPTION and WORK_FAIL) and leaves a
        // marker file; with the marker there it completes.
        await using var worker = StartPerlWorker(server, function, "fail_once", Path.Combine(folder.Path, "failed-once"));
        var submitted = await GearmanAsync(server, "-b", "-f", function, "try me");
        Assert.True(submitted.ExitCode == 0, $"gearman -b: {submitted}\n{server.Output}");

        await worker.WaitForLineAsync(l => l == "failing try me", "the first attempt to fail");
        await worker.WaitForLineAsync(l => l == "done try me", "a retry to complete the job");

        JsonElement job = default;
        var last = "";
        await Until.TrueAsync(async () =>
            {
                var jobs = await http.JobsAsync(function);
                last = string.Join("\n", jobs.Select(j => j.GetRawText()));
                if (jobs.Count != 1) return false;
                job = jobs[0];
                return HttpApi.StateOf(job) == "succeeded";
            },
            $"the one job of {function} to be succeeded", () => $"last: {last}\nworker: {worker.Stdout}\n{worker.Stderr}\n{server.Output}");
        Assert.Equal("ok:try me", HttpApi.BytesOf(job, "result"));
        Assert.Equal(2, job.GetProperty("attempt").GetInt32());
    }
}
