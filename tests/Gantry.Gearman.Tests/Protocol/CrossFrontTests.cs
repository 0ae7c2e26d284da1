using System.Net;
using System.Text;
using Xunit;
using static Gantry.Gearman.Tests.Protocol.Wire;
using T = Gantry.Protocol.Gearman.GearmanPacketType;

namespace Gantry.Gearman.Tests.Protocol;

/// <summary>
/// A queue in the memory lane is one queue for every front: jobs enqueued over HTTP reach a sleeping Gearman worker,
/// a Gearman client's foreground job finished by an HTTP worker reaches that client, and the queue is listed with its
/// lane. Gearman-only behaviour (the attached client) stays in the Gearman front.
/// </summary>
[Trait("Server", "Gantry")]
public sealed class CrossFrontTests(MemoryLaneFixture fixture) : IClassFixture<MemoryLaneFixture>
{
    private ProtocolServer Server => fixture.Server;

    private async Task<string> MemoryQueueAsync(string prefix)
    {
        var function = Function(prefix);
        using var put = await Server.Http.PutAsync($"/api/queues/{function}",
            new StringContent("""{"lane":"memory"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return function;
    }

    [Fact]
    public async Task A_job_enqueued_over_http_into_a_memory_queue_wakes_and_reaches_a_sleeping_gearman_worker()
    {
        var function = await MemoryQueueAsync("http_to_gearman");
        await using var worker = await Server.ConnectAsync("worker");
        await worker.SendAsync(T.CanDo, B(function));
        await worker.SendAsync(T.GrabJobUniq);
        await worker.ExpectAsync(T.NoJob);
        await worker.SendAsync(T.PreSleep);
        await worker.SyncAsync(); // asleep now

        var (status, enqueued, text) = await Server.PostJsonAsync("/api/jobs", $$"""{"queue":"{{function}}","payload":{"from":"http"},"unique_key":"u1"}""");
        Assert.True(status == HttpStatusCode.Created, text);
        var id = enqueued.GetProperty("id").GetInt64();

        await worker.ExpectAsync(T.Noop);
        await worker.SendAsync(T.GrabJobUniq);
        var assign = await worker.ExpectAsync(T.JobAssignUniq);
        Assert.EndsWith($":{id}", assign.FieldString(0));
        Assert.Equal("u1", assign.FieldString(2));
        Assert.Equal("""{"from":"http"}""", assign.FieldString(3));
        await worker.SendAsync(T.WorkComplete, assign.Field(0).ToArray(), B("done by gearman"));

        var job = await Server.JobInStateAsync(id, "succeeded");
        Assert.Equal("done by gearman", Encoding.UTF8.GetString(ProtocolServer.Bytes(job, "result")));
    }

    [Fact]
    public async Task A_gearman_clients_foreground_job_finished_by_an_http_worker_reaches_that_client()
    {
        var function = await MemoryQueueAsync("gearman_to_http");
        await using var client = await Server.ConnectAsync("client");
        await client.SendAsync(T.SubmitJob, B(function), B(""), B("from gearman"));
        var handle = (await client.ExpectAsync(T.JobCreated)).FieldString(0);

        var (status, fetched, text) = await Server.PostJsonAsync($"/api/queues/{function}/fetch", """{"max":1,"wait":5}""");
        Assert.True(status == HttpStatusCode.OK, text);
        var leased = fetched.GetProperty("jobs")[0];
        Assert.EndsWith($":{leased.GetProperty("id").GetInt64()}", handle);
        Assert.Equal("from gearman", Encoding.UTF8.GetString(ProtocolServer.Bytes(leased, "payload")));
        var (done, _, doneText) = await Server.PostJsonAsync($"/api/jobs/{leased.GetProperty("id").GetInt64()}/complete",
            $$"""{"attempt":{{leased.GetProperty("attempt").GetInt32()}},"result":"done by http"}""");
        Assert.True(done == HttpStatusCode.OK, doneText);

        var complete = await client.ExpectAsync(T.WorkComplete);
        Assert.Equal([handle, "\"done by http\""], RawGearman.Fields(complete));

        var (_, queue, _) = await Server.GetAsync($"/api/queues/{function}");
        Assert.Equal("memory", queue.GetProperty("lane").GetString());
        Assert.Equal(1, queue.GetProperty("counts").GetProperty("succeeded").GetInt64());
    }

    [Fact]
    public async Task A_gearman_client_waiting_on_a_job_that_is_cancelled_over_http_hears_WORK_FAIL()
    {
        var function = await MemoryQueueAsync("cancelled");
        await using var client = await Server.ConnectAsync("client");
        await client.SendAsync(T.SubmitJob, B(function), B(""), B("never runs"));
        var handle = (await client.ExpectAsync(T.JobCreated)).FieldString(0);
        var id = long.Parse(handle[(handle.LastIndexOf(':') + 1)..]);

        var (status, _, text) = await Server.PostJsonAsync($"/api/jobs/{id}/cancel", "");
        Assert.True(status == HttpStatusCode.OK, text);
        Assert.Equal([handle], RawGearman.Fields(await client.ExpectAsync(T.WorkFail)));
    }
}
