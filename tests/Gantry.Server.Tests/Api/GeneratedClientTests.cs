using System.Net.Http.Headers;
using System.Text.Json;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Server.Tests.OpenApi.Generated;
using Xunit;

namespace Gantry.Server.Tests.Api;

/// <summary>
/// A client that NSwag generated from the server's OpenAPI document at build time (see the project file), driving a
/// running server over a real socket as any team generating a client from <c>/openapi/v1.json</c> would: enqueue, fetch
/// as a worker, heartbeat, complete, read the result back; and the errors the document promises, as problem details.
/// A document that named fields otherwise than the API (camelCase), typed numbers as strings or left out an error
/// answer fails here: the server refuses the body, or the client cannot read the answer.
/// </summary>
public sealed class GeneratedClientTests : IAsyncLifetime
{
    private const string Token = "generated-client-token-0123456789";
    private TestStore _store = null!;
    private InProcessServer _server = null!;
    private HttpClient _http = null!;
    private GantryApiClient _api = null!;

    public async Task InitializeAsync()
    {
        _store = TestStore.Sqlite();
        _server = await InProcessServer.StartAsync(_store, new Dictionary<string, string?> { ["Gantry:Http:ApiToken"] = Token });
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        _api = new GantryApiClient(_server.BaseAddress.ToString(), _http);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        await _store.DisposeAsync();
    }

    [Fact]
    public async Task Enqueue_fetch_heartbeat_complete_and_read_the_result_back()
    {
        var queue = Names.Queue("gen");
        var enqueued = await _api.EnqueueJobAsync(null, new EnqueueJobRequest
        {
            Queue = queue,
            Payload = new { a = 2, b = 3, text = "안녕" },
            Priority = 5,
            Max_attempts = 4,
            Timeout = 30,
            Unique_key = "sum-2-3",
        });
        Assert.True(enqueued.Id > 0);
        Assert.Equal("available", enqueued.State);
        Assert.False(enqueued.Existing);

        var again = await _api.EnqueueJobAsync(null, new EnqueueJobRequest { Queue = queue, Unique_key = "sum-2-3" });
        Assert.Equal(enqueued.Id, again.Id);
        Assert.True(again.Existing);

        var fetched = await _api.FetchJobsAsync(queue, new FetchRequest { Max = 1, Wait = 5 });
        var job = Assert.Single(fetched.Jobs);
        Assert.Equal(enqueued.Id, job.Id);
        Assert.Equal(1, job.Attempt);
        Assert.Equal(4, job.Max_attempts);
        Assert.Equal(5, job.Priority);
        Assert.Equal(30, job.Timeout);
        var payload = Assert.IsType<JsonElement>(job.Payload);
        Assert.Equal(2, payload.GetProperty("a").GetInt32());
        Assert.Equal("안녕", payload.GetProperty("text").GetString());

        var beat = await _api.HeartbeatLeasesAsync(new LeasesRequest { Leases = [new LeaseItem { Id = job.Id, Attempt = job.Attempt }] });
        Assert.Equal("ok", Assert.Single(beat.Results).Status);
        Assert.NotNull(beat.Results.Single().Lease_expires_at);

        var sum = payload.GetProperty("a").GetInt32() + payload.GetProperty("b").GetInt32();
        var completed = await _api.CompleteJobAsync(job.Id, new CompletionItem { Id = job.Id, Attempt = job.Attempt, Result = new { sum } });
        Assert.Equal("ok", completed.Status);
        Assert.Equal("succeeded", completed.State);

        var done = await _api.WaitForJobAsync(job.Id, 5);
        Assert.True(done.Finished);
        Assert.Equal("succeeded", done.State);
        Assert.Equal(5, Assert.IsType<JsonElement>(done.Result).GetProperty("sum").GetInt32());
        Assert.NotNull(done.Finished_at);
        Assert.Empty(done.Errors);

        var page = await _api.ListJobsAsync(queue, "succeeded", 10, null);
        Assert.Equal(enqueued.Id, Assert.Single(page.Jobs).Id);
        Assert.Null(page.Next);
        var view = await _api.GetQueueAsync(queue);
        Assert.Equal(1, view.Counts["succeeded"]);
    }

    [Fact]
    public async Task Submit_and_wait_answers_the_job_itself()
    {
        var queue = Names.Queue("gen");

        // Nobody works the queue: the wait ends and the answer is the job as it is, unfinished.
        var answer = await _api.EnqueueJobAsync(0.2, new EnqueueJobRequest { Queue = queue, Payload = "hello" });

        Assert.True(answer.Id > 0);
        Assert.Equal("available", answer.State);
        Assert.Equal(queue, answer.Queue);
        Assert.False(answer.Finished);
        Assert.Equal("hello", Assert.IsType<JsonElement>(answer.Payload).GetString());
        Assert.True(answer.Max_attempts > 0, "the JobView fields come through too");
    }

    [Fact]
    public async Task A_failed_attempt_is_retried_and_the_errors_read_back()
    {
        var queue = Names.Queue("gen");
        var batch = await _api.EnqueueJobsAsync(new EnqueueBatchRequest
        {
            Jobs = [new EnqueueJobRequest { Queue = queue, Payload = 1, Max_attempts = 1 }],
        });
        var id = Assert.Single(batch.Jobs).Id;
        var job = Assert.Single((await _api.FetchJobsAsync(queue, new FetchRequest { Max = 1, Wait = 5 })).Jobs);

        var failed = await _api.FailJobAsync(id, new FailureItem { Id = id, Attempt = job.Attempt, Error = "no luck", Details = "at line 1" });

        Assert.Equal("dead", failed.State); // its only attempt is spent
        var error = Assert.Single((await _api.GetJobAsync(id)).Errors);
        Assert.Equal("no luck", error.Message);
        Assert.Equal("at line 1", error.Details);
    }

    [Fact]
    public async Task Errors_arrive_as_the_problem_details_the_document_declares()
    {
        var queue = Names.Queue("gen");
        var bad = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() =>
            _api.EnqueueJobAsync(null, new EnqueueJobRequest { Queue = queue, Max_attempts = 0 }));
        Assert.Equal(400, bad.StatusCode);
        Assert.Equal("max_attempts", bad.Result.Field);
        Assert.Equal(400, bad.Result.Status);

        var missing = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => _api.GetJobAsync(long.MaxValue / 4));
        Assert.Equal(404, missing.StatusCode);

        var id = (await _api.EnqueueJobAsync(null, new EnqueueJobRequest { Queue = queue })).Id;
        var lost = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() =>
            _api.CompleteJobAsync(id, new CompletionItem { Id = id, Attempt = 7 }));
        Assert.Equal(409, lost.StatusCode);
        Assert.Equal("attempt", lost.Result.Field);

        using var anonymous = new HttpClient();
        var unauthorized = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() =>
            new GantryApiClient(_server.BaseAddress.ToString(), anonymous).ListQueuesAsync());
        Assert.Equal(401, unauthorized.StatusCode);
    }
}
