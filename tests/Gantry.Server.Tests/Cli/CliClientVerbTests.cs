using System.Text.RegularExpressions;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Xunit;

namespace Gantry.Server.Tests.Cli;

/// <summary><c>gantry server</c> as a child process, shared by the client-verb tests in this class.</summary>
public sealed class CliServerFixture : IAsyncLifetime
{
    public TestStore Store { get; private set; } = null!;
    public ServerProcess Server { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string Url => Server.BaseAddress.ToString().TrimEnd('/');

    public async Task InitializeAsync()
    {
        Store = TestStore.Sqlite();
        Server = await ServerProcess.StartAsync(Store);
        Http = new HttpClient { BaseAddress = Server.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        await Store.DisposeAsync();
    }
}

/// <summary>The client verbs of the <c>gantry</c> executable against a real server: what they print and how they exit.</summary>
public sealed partial class CliClientVerbTests(CliServerFixture fixture) : IClassFixture<CliServerFixture>
{
    private readonly HttpClient _http = fixture.Http;

    private Task<ProcessResult> Gantry(params string[] args) => GantryCli.RunAsync([.. args, "--server", fixture.Url]);

    [GeneratedRegex(@"^\d+$")]
    private static partial Regex JobId();

    [Fact]
    public async Task Enqueue_prints_the_new_jobs_id_and_the_server_holds_the_payload()
    {
        var queue = Names.Queue();
        var r = await Gantry("enqueue", queue, """{"a":1}""");

        Assert.True(r.ExitCode == 0, r.ToString());
        var printed = r.Stdout.Trim();
        Assert.Matches(JobId(), printed);
        var job = await _http.GetJobAsync(long.Parse(printed));
        Assert.Equal(queue, job["queue"]!.GetValue<string>());
        Assert.Equal("""{"a":1}""", job["payload"]!.ToJsonString());
    }

    [Fact]
    public async Task Enqueue_with_wait_prints_the_result_a_worker_produced()
    {
        var queue = Names.Queue();
        await using var cli = GantryCli.Start(["enqueue", queue, """{"question":"six times seven"}""", "--wait", "30", "--server", fixture.Url]);

        var (id, attempt) = await _http.FetchOneAsync(queue, wait: 30);
        var done = await _http.ApiPostAsync($"/api/jobs/{id}/complete", $$$"""{"attempt":{{{attempt}}},"result":{"answer":42}}""");
        Assert.Equal(200, done.Code);

        var exit = await cli.WaitForExitAsync();
        Assert.True(exit == 0, $"exit {exit}\n{cli.Stderr}");
        Assert.Equal("""{"answer":42}""", cli.Stdout.Trim());
    }

    [Fact]
    public async Task Enqueue_with_wait_exits_124_when_nobody_works_the_job_in_time()
    {
        var r = await Gantry("enqueue", Names.Queue(), "1", "--wait", "0.3");

        Assert.True(r.ExitCode == 124, r.ToString());
        Assert.Contains("still available", r.Stderr);
    }

    [Fact]
    public async Task Queues_prints_a_table_naming_the_queue_with_its_counts()
    {
        var queue = Names.Queue();
        await _http.EnqueueAsync(queue);
        await _http.EnqueueAsync(queue);

        var r = await Gantry("queues");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("AVAILABLE", r.Stdout);
        var row = r.Stdout.Split('\n').Single(l => l.Contains(queue));
        Assert.Matches($@"{Regex.Escape(queue)}\s+durable\s+0\s+2\s", row); // durable lane, not paused, 0 scheduled, 2 available
    }

    [Fact]
    public async Task Lane_puts_a_queue_in_the_memory_lane_and_queues_shows_it_there()
    {
        var queue = Names.Queue();
        var set = await Gantry("lane", queue, "memory");
        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Contains($"Queue {queue} is in the memory lane.", set.Stdout);
        await _http.EnqueueAsync(queue);

        var r = await Gantry("queues");
        var row = r.Stdout.Split('\n').Single(l => l.Contains(queue));
        Assert.Matches($@"{Regex.Escape(queue)}\s+memory\s+0\s+1\s", row);

        var bad = await Gantry("lane", queue, "fast");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("memory", bad.Stderr + bad.Stdout);
    }

    [Fact]
    public async Task Pause_refuses_a_queue_nobody_used_so_a_typo_makes_no_queue_and_create_makes_one()
    {
        var typo = Names.Queue();
        var r = await Gantry("pause", typo);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"there is no queue '{typo}'", r.Stderr);
        Assert.Contains("--create", r.Stderr);
        Assert.DoesNotContain(typo, (await Gantry("queues")).Stdout);

        var created = await Gantry("pause", typo, "--create");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Matches($@"{Regex.Escape(typo)}\s+durable\s+yes", (await Gantry("queues")).Stdout);
    }

    [Fact]
    public async Task Jobs_prints_a_table_naming_each_job_with_its_queue_and_state()
    {
        var queue = Names.Queue();
        var id = await _http.EnqueueAsync(queue);

        var r = await Gantry("jobs", "--queue", queue);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("STATE", r.Stdout);
        Assert.Matches($@"\b{id}\s+{Regex.Escape(queue)}\s+available\b", r.Stdout);
    }

    [Fact]
    public async Task Client_verbs_find_the_server_through_GANTRY_URL()
    {
        var queue = Names.Queue();
        var env = new Dictionary<string, string?> { ["GANTRY_URL"] = fixture.Url };

        var enqueued = await GantryCli.RunAsync(["enqueue", queue, "\"via env\""], env);
        Assert.True(enqueued.ExitCode == 0, enqueued.ToString());
        var id = long.Parse(enqueued.Stdout.Trim());
        Assert.Equal("\"via env\"", (await _http.GetJobAsync(id))["payload"]!.ToJsonString());

        var shown = await GantryCli.RunAsync(["job", id.ToString()], env);
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains(queue, shown.Stdout);
    }

    [Fact]
    public async Task Cancel_pause_and_resume_change_the_server_and_say_so()
    {
        var queue = Names.Queue();
        var id = await _http.EnqueueAsync(queue);

        var cancelled = await Gantry("cancel", id.ToString());
        Assert.True(cancelled.ExitCode == 0, cancelled.ToString());
        Assert.Contains("cancelled", cancelled.Stdout);
        Assert.Equal("cancelled", await _http.StateOfAsync(id));
        Assert.Equal(1, (await Gantry("cancel", id.ToString())).ExitCode); // already finished

        var paused = await Gantry("pause", queue);
        Assert.True(paused.ExitCode == 0, paused.ToString());
        Assert.Contains($"Queue {queue} is paused.", paused.Stdout);
        Assert.True(await IsPausedAsync(queue));
        Assert.Equal(0, (await Gantry("resume", queue)).ExitCode);
        Assert.False(await IsPausedAsync(queue));
    }

    private async Task<bool> IsPausedAsync(string queue) =>
        (await _http.ApiGetAsync("/api/queues")).Json["queues"]!.AsArray()
        .Single(q => q!["name"]!.GetValue<string>() == queue)!["paused"]!.GetValue<bool>();

    [Fact]
    public async Task Client_verb_against_a_server_that_is_not_there_exits_1_saying_it_cannot_reach_it()
    {
        var r = await GantryCli.RunAsync(["queues", "--server", FreePort.LoopbackUrl()]);

        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("cannot reach the server", r.Stderr);
    }
}
