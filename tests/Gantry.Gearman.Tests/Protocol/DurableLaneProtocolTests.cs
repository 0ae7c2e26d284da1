using System.Net;
using System.Text;
using Xunit;
using static Gantry.Gearman.Tests.Protocol.Wire;
using T = Gantry.Protocol.Gearman.GearmanPacketType;

namespace Gantry.Gearman.Tests.Protocol;

/// <summary>
/// Gantry only: a function with <c>Lane=durable</c> is the Gantry queue of the same name. Its background jobs are in
/// the store before JOB_CREATED, Gearman workers lease them, and their reports become the store job's outcome.
/// </summary>
[Trait("Server", "Gantry")]
public sealed class DurableLaneProtocolTests(DurableLaneFixture fixture) : IClassFixture<DurableLaneFixture>
{
    private ProtocolServer Server => fixture.Server;

    [Fact]
    public async Task A_background_job_is_stored_before_any_worker_and_its_WORK_COMPLETE_makes_the_store_job_succeeded()
    {
        const string function = DurableLaneFixture.Basic;
        await using var client = await Server.ConnectAsync("client");
        var payload = "durable\0payload"u8.ToArray();
        await client.SendAsync(T.SubmitJobBg, B(function), B(""), payload);
        var handle = (await client.ExpectAsync(T.JobCreated)).Body.ToArray();
        var id = DurableId(RawGearman.Text(handle));

        var (status, list, text) = await Server.GetAsync($"/api/jobs?queue={function}");
        Assert.True(status == HttpStatusCode.OK, $"GET /api/jobs?queue={function}: {(int)status} {text}");
        var listed = list.GetProperty("jobs").EnumerateArray().SingleOrDefault(j => j.GetProperty("id").GetInt64() == id);
        Assert.True(listed.ValueKind != default, $"job {id} is not listed: {text}");
        Assert.Equal("available", listed.GetProperty("state").GetString());
        Assert.Equal(payload, ProtocolServer.Bytes(await Server.JobAsync(id), "payload"));

        await using var worker = await Server.ConnectAsync("worker");
        await worker.SendAsync(T.CanDo, B(function));
        await worker.SendAsync(T.GrabJob);
        var assign = await worker.ExpectAsync(T.JobAssign);
        Assert.Equal(handle, assign.Field(0).ToArray());
        Assert.Equal(function, assign.FieldString(1));
        Assert.Equal(payload, assign.Field(2).ToArray());

        var result = "the\0result\u0001"u8.ToArray();
        await worker.SendAsync(T.WorkComplete, handle, result);
        var job = await Server.JobInStateAsync(id, "succeeded");
        Assert.Equal(result, ProtocolServer.Bytes(job, "result"));
    }

    [Fact]
    public async Task Background_submissions_pipelined_in_one_write_all_get_JOB_CREATED_in_order()
    {
        const string function = DurableLaneFixture.Pipelined;
        await using var client = await Server.ConnectAsync("client");
        var payloads = Enumerable.Range(0, 6).Select(i => $"pipelined-{i}").ToList();
        var bytes = Cat([.. payloads.Select(p => RawGearman.Packet(T.SubmitJobBg, B(function), B(""), B(p))),
            RawGearman.Packet(T.EchoReq, B("after the batch"))]);
        await client.SendRawAsync(bytes, $"{payloads.Count} SUBMIT_JOB_BG and an ECHO_REQ in one write");

        var ids = new List<long>();
        foreach (var _ in payloads) ids.Add(DurableId(RawGearman.Text((await client.ExpectAsync(T.JobCreated)).Body.Span)));
        Assert.Equal("after the batch", Encoding.UTF8.GetString((await client.ExpectAsync(T.EchoRes)).Body.Span));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        for (var i = 0; i < ids.Count; i++)
            Assert.Equal(payloads[i], Encoding.UTF8.GetString(ProtocolServer.Bytes(await Server.JobAsync(ids[i]), "payload")));
    }

    [Fact]
    public async Task A_job_enqueued_over_HTTP_wakes_a_sleeping_gearman_worker_and_is_assigned_to_it()
    {
        const string function = DurableLaneFixture.FromHttp;
        await using var worker = await Server.ConnectAsync("worker");
        await worker.SendAsync(T.CanDo, B(function));
        await worker.SendAsync(T.GrabJob);
        await worker.ExpectAsync(T.NoJob);
        await worker.SendAsync(T.PreSleep);
        await worker.SyncAsync();

        var payload = "from\0http"u8.ToArray();
        var (status, body, text) = await Server.PostJsonAsync("/api/jobs",
            $$"""{"queue":"{{function}}","payload_base64":"{{Convert.ToBase64String(payload)}}"}""");
        Assert.True(status == HttpStatusCode.Created, $"POST /api/jobs: {(int)status} {text}");
        var id = body.GetProperty("id").GetInt64();

        await worker.ExpectAsync(T.Noop);
        await worker.SendAsync(T.GrabJob);
        var assign = await worker.ExpectAsync(T.JobAssign);
        Assert.Equal(id, DurableId(assign.FieldString(0)));
        Assert.Equal(payload, assign.Field(2).ToArray());

        await worker.SendAsync(T.WorkComplete, assign.Field(0).ToArray(), B("ok"));
        Assert.Equal("ok", Encoding.UTF8.GetString(ProtocolServer.Bytes(await Server.JobInStateAsync(id, "succeeded"), "result")));
    }

    [Fact]
    public async Task PRE_SLEEP_while_a_durable_job_is_already_waiting_gets_NOOP_at_once()
    {
        const string function = DurableLaneFixture.Sleeper;
        await using var worker = await Server.ConnectAsync("worker");
        await worker.SendAsync(T.CanDo, B(function));
        await worker.SendAsync(T.GrabJob);
        await worker.ExpectAsync(T.NoJob);

        // A job arrives between the worker's NO_JOB and its PRE_SLEEP, while it is awake: no NOOP is due then, so
        // PRE_SLEEP must see the waiting job itself, as gearmand's does, or the worker sleeps with work waiting.
        var (status, body, text) = await Server.PostJsonAsync("/api/jobs", $$"""{"queue":"{{function}}","payload_base64":"{{Convert.ToBase64String(B("between"))}}"}""");
        Assert.True(status == HttpStatusCode.Created, $"POST /api/jobs: {(int)status} {text}");
        var id = body.GetProperty("id").GetInt64();
        await worker.SyncAsync();

        await worker.SendAsync(T.PreSleep);
        await worker.ExpectAsync(T.Noop);
        await worker.SendAsync(T.GrabJob);
        var assign = await worker.ExpectAsync(T.JobAssign);
        Assert.Equal(id, DurableId(assign.FieldString(0)));
        await worker.SendAsync(T.WorkComplete, assign.Field(0).ToArray(), B(""));
        await Server.JobInStateAsync(id, "succeeded");
    }

    [Fact]
    public async Task With_one_retry_a_failed_job_is_assigned_again_and_is_dead_after_the_second_failure()
    {
        const string function = DurableLaneFixture.Retried;
        await using var client = await Server.ConnectAsync("client");
        await using var worker = await Server.ConnectAsync("worker");
        await worker.SendAsync(T.CanDo, B(function));
        await client.SendAsync(T.SubmitJobBg, B(function), B(""), B("fails twice"));
        var handle = (await client.ExpectAsync(T.JobCreated)).Body.ToArray();
        var id = DurableId(RawGearman.Text(handle));

        var first = await NextJobAsync(worker);
        Assert.Equal(handle, first.Field(0).ToArray());
        await worker.SendAsync(T.WorkFail, handle);

        var second = await NextJobAsync(worker);
        Assert.Equal(handle, second.Field(0).ToArray());
        Assert.Equal("fails twice", second.FieldString(2));
        await worker.SendAsync(T.WorkFail, handle);

        var dead = await Server.JobInStateAsync(id, "dead");
        Assert.Equal(2, dead.GetProperty("attempt").GetInt32());
        await worker.SendAsync(T.GrabJob);
        await worker.ExpectAsync(T.NoJob);
    }

    [Fact]
    public async Task A_durable_job_whose_worker_disconnects_is_available_again_at_once_and_another_worker_gets_it()
    {
        const string function = DurableLaneFixture.Dropped;
        await using var client = await Server.ConnectAsync("client");
        await using var second = await Server.ConnectAsync("second worker");
        var first = await Server.ConnectAsync("first worker");
        await client.SendAsync(T.SubmitJobBg, B(function), B(""), B("hand me on"));
        var handle = (await client.ExpectAsync(T.JobCreated)).Body.ToArray();
        var id = DurableId(RawGearman.Text(handle));

        await first.SendAsync(T.CanDo, B(function));
        await first.SendAsync(T.GrabJob);
        Assert.Equal(handle, (await first.ExpectAsync(T.JobAssign)).Field(0).ToArray());
        Assert.Equal("running", (await Server.JobAsync(id)).GetProperty("state").GetString());

        await second.SendAsync(T.CanDo, B(function));
        await second.SendAsync(T.GrabJob);
        await second.ExpectAsync(T.NoJob);
        await second.SendAsync(T.PreSleep);
        await second.SyncAsync();

        // Well within the 60 s lease: the server releases the job when the connection ends, it does not wait for expiry.
        await first.DisposeAsync();
        await second.ExpectAsync(T.Noop, TimeSpan.FromSeconds(15));
        await second.SendAsync(T.GrabJob);
        var again = await second.ExpectAsync(T.JobAssign);
        Assert.Equal(handle, again.Field(0).ToArray());
        Assert.Equal("hand me on", again.FieldString(2));

        await second.SendAsync(T.WorkComplete, handle, B("done"));
        await Server.JobInStateAsync(id, "succeeded");
    }

    [Fact]
    public async Task Jobs_leased_ahead_for_a_function_go_back_to_the_store_when_its_last_worker_leaves()
    {
        const string function = DurableLaneFixture.Prefetched;
        await using var client = await Server.ConnectAsync("client");
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            await client.SendAsync(T.SubmitJobBg, B(function), B(""), B($"ahead-{i}"));
            ids.Add(DurableId(RawGearman.Text((await client.ExpectAsync(T.JobCreated)).Body.Span)));
        }

        // One worker's grab leases a few jobs at once (one store round trip): it runs the first, the rest wait in memory.
        var worker = await Server.ConnectAsync("worker");
        await worker.SendAsync(T.CanDo, B(function));
        await worker.SendAsync(T.GrabJob);
        var firstAssign = await worker.ExpectAsync(T.JobAssign);
        var first = DurableId(RawGearman.Text(firstAssign.Field(0)));
        var (_, running, runningText) = await Server.GetAsync($"/api/jobs?queue={function}&state=running");
        Assert.True(running.GetProperty("jobs").GetArrayLength() >= 2, $"expected the assigned job and one leased ahead: {runningText}");
        await worker.SendAsync(T.WorkComplete, firstAssign.Field(0).ToArray(), B("done"));
        await Server.JobInStateAsync(first, "succeeded");

        await worker.SendAsync(T.GrabJob);
        var second = await worker.ExpectAsync(T.JobAssign);
        var secondId = DurableId(RawGearman.Text(second.Field(0)));
        await worker.SendAsync(T.WorkComplete, second.Field(0).ToArray(), B("done"));
        await Server.JobInStateAsync(secondId, "succeeded");

        // The worker leaves: whatever it had leased ahead is available in the store again at once (not after the lease).
        await worker.DisposeAsync();
        foreach (var id in ids.Where(i => i != first && i != secondId))
            await Server.JobInStateAsync(id, "available");

        // And a new worker gets them.
        await using var next = await Server.ConnectAsync("next worker");
        await next.SendAsync(T.CanDo, B(function));
        var done = new HashSet<long>();
        while (done.Count < 3)
        {
            await next.SendAsync(T.GrabJob);
            var assign = await next.ExpectAsync(T.JobAssign);
            done.Add(DurableId(RawGearman.Text(assign.Field(0))));
            await next.SendAsync(T.WorkComplete, assign.Field(0).ToArray(), B("done"));
        }
        Assert.Equal(ids.Where(i => i != first && i != secondId).Order(), done.Order());
    }

    [Fact]
    public async Task Admin_status_of_a_durable_function_counts_its_stored_and_its_in_memory_jobs_once_each()
    {
        const string function = DurableLaneFixture.Counted;
        await using var client = await Server.ConnectAsync("client");
        await client.SendAsync(T.SubmitJob, B(function), B(""), B("foreground, in memory"));
        await client.ExpectAsync(T.JobCreated);
        await client.SendAsync(T.SubmitJobBg, B(function), B(""), B("background, in the store"));
        await client.ExpectAsync(T.JobCreated);

        await using var admin = await Server.ConnectAsync("admin");
        var line = (await admin.AdminListAsync("status")).Single(l => l.StartsWith(function + "\t", StringComparison.Ordinal));
        Assert.Equal($"{function}\t2\t0\t0", line);
    }
}

