using System.Net;
using System.Text;
using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Api;

/// <summary>Enqueueing over HTTP: one job, payloads in both encodings, unique keys, batches, and reading a job back.</summary>
public abstract class EnqueueApiTests(ServerFixture fixture)
{
    private readonly HttpClient _http = fixture.Server.Http;

    [Fact]
    public async Task Enqueue_answers_201_with_the_new_id_and_the_job_reads_back_available()
    {
        var queue = Names.Queue();
        var r = await _http.ApiPostAsync("/api/jobs", $$"""{"queue":"{{queue}}","payload":{"to":"ann"},"priority":3,"max_attempts":7}""");

        Assert.Equal(HttpStatusCode.Created, r.Status);
        var id = r.Json["id"]!.GetValue<long>();
        Assert.True(id > 0);
        Assert.Equal("available", r.Json["state"]!.GetValue<string>());
        Assert.False(r.Json["existing"]!.GetValue<bool>());

        var job = await _http.GetJobAsync(id);
        Assert.Equal(id, job["id"]!.GetValue<long>());
        Assert.Equal(queue, job["queue"]!.GetValue<string>());
        Assert.Equal("available", job["state"]!.GetValue<string>());
        Assert.False(job["finished"]!.GetValue<bool>());
        Assert.Equal(3, job["priority"]!.GetValue<int>());
        Assert.Equal(0, job["attempt"]!.GetValue<int>());
        Assert.Equal(7, job["max_attempts"]!.GetValue<int>());
    }

    [Fact]
    public async Task Json_payload_comes_back_byte_for_byte_with_its_spacing_and_escapes()
    {
        const string payload = "{ \"b\" : [1, 2.50, 1e3, \"\\u00e9\\n\"],\n  \"a\":null, \"ü\": true }";
        var r = await _http.ApiPostAsync("/api/jobs", $$"""{"queue":"{{Names.Queue()}}","payload":{{payload}}}""");
        Assert.Equal(HttpStatusCode.Created, r.Status);

        Assert.Equal(payload, (await _http.ApiGetAsync($"/api/jobs/{r.Json["id"]}")).RawField("payload"));
    }

    [Fact]
    public async Task Base64_payload_of_arbitrary_bytes_comes_back_byte_for_byte()
    {
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)(255 - i)).ToArray();
        var r = await _http.ApiPostAsync("/api/jobs",
            $$"""{"queue":"{{Names.Queue()}}","payload_base64":"{{Convert.ToBase64String(bytes)}}"}""");
        Assert.Equal(HttpStatusCode.Created, r.Status);

        var job = await _http.GetJobAsync(r.Json["id"]!.GetValue<long>());
        Assert.Null(job["payload"]);
        Assert.Equal(bytes, Convert.FromBase64String(job["payload_base64"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Text_payload_sent_as_base64_is_stored_as_the_same_bytes()
    {
        var text = Encoding.UTF8.GetBytes("not json: ünïcödé\n");
        var r = await _http.ApiPostAsync("/api/jobs", $$"""{"queue":"{{Names.Queue()}}","payload_base64":"{{Convert.ToBase64String(text)}}"}""");
        var job = await _http.GetJobAsync(r.Json["id"]!.GetValue<long>());
        Assert.Equal(text, Convert.FromBase64String(job["payload_base64"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Second_enqueue_with_a_live_unique_key_answers_200_existing_with_the_same_id()
    {
        var queue = Names.Queue();
        var first = await _http.ApiPostAsync("/api/jobs", $$"""{"queue":"{{queue}}","payload":1,"unique_key":"invoice-42"}""");
        var second = await _http.ApiPostAsync("/api/jobs", $$"""{"queue":"{{queue}}","payload":2,"unique_key":"invoice-42"}""");

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.True(second.Json["existing"]!.GetValue<bool>());
        Assert.Equal(first.Json["id"]!.GetValue<long>(), second.Json["id"]!.GetValue<long>());
        var page = await _http.ApiGetAsync($"/api/jobs?queue={queue}");
        Assert.Single(page.Json["jobs"]!.AsArray());
        Assert.Equal("1", (await _http.GetJobAsync(first.Json["id"]!.GetValue<long>()))["payload"]!.ToJsonString());
    }

    [Fact]
    public async Task Unique_key_is_free_again_once_its_job_finished()
    {
        var queue = Names.Queue();
        var first = await _http.EnqueueAsync(queue, "1", ""","unique_key":"k" """);
        var (id, attempt) = await _http.FetchOneAsync(queue);
        Assert.Equal(first, id);
        Assert.Equal(HttpStatusCode.OK, (await _http.ApiPostAsync($"/api/jobs/{id}/complete", $$"""{"attempt":{{attempt}}}""")).Status);

        var again = await _http.ApiPostAsync("/api/jobs", $$"""{"queue":"{{queue}}","payload":2,"unique_key":"k"}""");
        Assert.Equal(HttpStatusCode.Created, again.Status);
        Assert.NotEqual(first, again.Json["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task Batch_enqueue_stores_every_job_and_answers_their_ids_in_order()
    {
        var queue = Names.Queue();
        var jobs = string.Join(",", Enumerable.Range(0, 5).Select(i => $$$"""{"queue":"{{{queue}}}","payload":{"n":{{{i}}}}}"""));
        var r = await _http.ApiPostAsync("/api/jobs/batch", $$"""{"jobs":[{{jobs}}]}""");

        Assert.Equal(HttpStatusCode.OK, r.Status);
        var ids = r.Json["jobs"]!.AsArray().Select(j => j!["id"]!.GetValue<long>()).ToList();
        Assert.Equal(5, ids.Distinct().Count());
        for (var i = 0; i < ids.Count; i++)
            Assert.Equal($$$"""{"n":{{{i}}}}""", (await _http.GetJobAsync(ids[i]))["payload"]!.ToJsonString());
    }

    [Fact]
    public async Task Batch_with_one_invalid_job_stores_none_and_names_the_bad_one()
    {
        var queue = Names.Queue();
        var r = await _http.ApiPostAsync("/api/jobs/batch",
            $$"""{"jobs":[{"queue":"{{queue}}","payload":1},{"queue":"{{queue}}","payload":2,"max_attempts":0},{"queue":"{{queue}}","payload":3}]}""");

        ProblemAssert.IsProblem(r, 400, "jobs[1]", "max_attempts");
        var page = await _http.ApiGetAsync($"/api/jobs?queue={queue}");
        Assert.Empty(page.Json["jobs"]!.AsArray());
    }

    [Fact]
    public async Task Get_of_a_job_that_does_not_exist_is_404_problem()
    {
        ProblemAssert.IsProblem(await _http.ApiGetAsync("/api/jobs/987654321"), 404, "987654321");
    }
}

public sealed class EnqueueApiOnSqlite(SqliteServerFixture f) : EnqueueApiTests(f), IClassFixture<SqliteServerFixture>;

public sealed class EnqueueApiOnPostgres(PostgresServerFixture f) : EnqueueApiTests(f), IClassFixture<PostgresServerFixture>;
