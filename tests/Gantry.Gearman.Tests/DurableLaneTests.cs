using System.Net;
using System.Text.Json;
using Gantry.Gearman.Tests.Infrastructure;
using Gantry.Testing;
using Xunit;
using static Gantry.Gearman.Tests.Infrastructure.GearmanTools;

namespace Gantry.Gearman.Tests;

/// <summary>
/// Gantry only: a function configured with <c>Gantry:Gearman:Functions:NAME:Lane=durable</c> keeps its background jobs
/// in the server's store before it answers JOB_CREATED, so they survive kill -9; and it is the Gantry queue NAME, shared
/// with the HTTP API in both directions.
/// </summary>
[Trait("Server", "Gantry")]
public sealed class DurableLaneTests
{
    private static Dictionary<string, string?> Durable(string function) =>
        new() { [$"GANTRY_GEARMAN__FUNCTIONS__{function}__LANE"] = "durable" };

    [Fact]
    public async Task Acknowledged_background_jobs_of_a_durable_function_survive_kill_9_and_run_after_the_restart()
    {
        var function = Names.Function("durable");
        await using var server = await GearmanServer.StartGantryAsync(Durable(function));
        using var folder = new TempFolder();
        var ran = Path.Combine(folder.Path, "ran.txt");

        // No worker: every job waits. Each client returns only after JOB_CREATED, that is, after the server
        // acknowledged the job.
        var expected = new List<string>();
        async Task Submitted(Task<ProcessResult> submit, string payload)
        {
            var result = await submit;
            Assert.True(result.ExitCode == 0, $"submitting {payload}: {result}\n{server.Output}");
            expected.Add(payload);
        }
        // The gearman tool sends a generated unique id, or the one given with -u.
        await Submitted(GearmanAsync(server, "-b", "-f", function, "cli-1"), "cli-1");
        await Submitted(GearmanAsync(server, "-b", "-f", function, "cli-2"), "cli-2");
        await Submitted(GearmanAsync(server, "-b", "-f", function, "-u", "fixed-key", "cli-unique"), "cli-unique");
        // Gearman::Client sends an empty unique id: no coalescing, so the same payload twice is two jobs.
        await Submitted(PerlAsync("dispatch_background.pl", server.Address, function, "perl-empty-unique"), "perl-empty-unique");
        await Submitted(PerlAsync("dispatch_background.pl", server.Address, function, "perl-empty-unique"), "perl-empty-unique");
        await Submitted(PerlAsync("dispatch_background.pl", server.Address, function, "perl-other"), "perl-other");

        await server.KillAsync();
        await server.RestartAsync();

        await using var worker = StartCliWorker(server, function, AppendTo(ran));
        await Until.TrueAsync(() => Until.LinesOf(ran).Count >= expected.Count, $"the worker ran all {expected.Count} jobs after the restart",
            () => $"ran: [{string.Join(", ", Until.LinesOf(ran))}]\nworker: {worker.Stderr}\n{server.Output}");
        Assert.Equal(expected.Order(), Until.LinesOf(ran).Order());
    }

    [Fact]
    public async Task A_durable_function_is_a_gantry_queue_jobs_from_gearman_show_over_http_and_jobs_from_http_run_on_gearman_workers()
    {
        var function = Names.Function("shared");
        await using var server = await GearmanServer.StartGantryAsync(Durable(function));
        using var http = new HttpApi(server.HttpBase);

        // Over Gearman, no worker yet: the job shows in the HTTP API as an available job of the queue.
        var submitted = await GearmanAsync(server, "-b", "-f", function, "from gearman");
        Assert.True(submitted.ExitCode == 0, $"gearman -b: {submitted}\n{server.Output}");
        var queues = "";
        await Until.TrueAsync(async () =>
            {
                var (status, body, text) = await http.GetAsync("/api/queues");
                queues = text;
                return status == HttpStatusCode.OK && body.GetProperty("queues").EnumerateArray().Any(q =>
                    q.GetProperty("name").GetString() == function && q.GetProperty("counts").GetProperty("available").GetInt64() == 1);
            },
            $"GET /api/queues to list {function} with one available job", () => $"last: {queues}\n{server.Output}");
        var fromGearman = Assert.Single(await http.JobsAsync(function));
        Assert.Equal("from gearman", HttpApi.BytesOf(fromGearman, "payload"));
        var fromGearmanId = fromGearman.GetProperty("id").GetInt64();

        // Over HTTP: a JSON string payload reaches the Gearman worker as its JSON text, quotes included, and the
        // worker's output becomes the result.
        var (created, enqueued, enqueuedText) = await http.PostAsync("/api/jobs", $$"""{"queue":"{{function}}","payload":"abc"}""");
        Assert.True(created == HttpStatusCode.Created, $"POST /api/jobs: {(int)created} {enqueuedText}");
        var fromHttpId = enqueued.GetProperty("id").GetInt64();

        await using var worker = StartCliWorker(server, function, ["tr", "a-z", "A-Z"]);

        JsonElement fromHttp = default;
        var last = "";
        await Until.TrueAsync(async () =>
            {
                var (_, body, text) = await http.GetAsync($"/api/jobs/{fromHttpId}");
                (fromHttp, last) = (body, text);
                return body.ValueKind == JsonValueKind.Object && body.GetProperty("finished").GetBoolean();
            },
            $"job {fromHttpId} (enqueued over HTTP) to finish", () => $"last: {last}\nworker: {worker.Stderr}\n{server.Output}");
        Assert.True(HttpApi.StateOf(fromHttp) == "succeeded", last);
        Assert.Equal("\"ABC\"", HttpApi.BytesOf(fromHttp, "result"));

        await Until.TrueAsync(async () =>
            {
                var (_, body, text) = await http.GetAsync($"/api/jobs/{fromGearmanId}");
                last = text;
                return body.ValueKind == JsonValueKind.Object && body.GetProperty("finished").GetBoolean();
            },
            $"job {fromGearmanId} (submitted over Gearman) to finish", () => $"last: {last}\n{server.Output}");
        var done = (await http.GetAsync($"/api/jobs/{fromGearmanId}")).Body;
        Assert.True(HttpApi.StateOf(done) == "succeeded", last);
        Assert.Equal("FROM GEARMAN", HttpApi.BytesOf(done, "result"));
    }
}
