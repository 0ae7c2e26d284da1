using Gantry.Protocol.Gearman;
using Gantry.Testing;
using Xunit;
using static Gantry.Gearman.Tests.Protocol.Wire;
using T = Gantry.Protocol.Gearman.GearmanPacketType;

namespace Gantry.Gearman.Tests.Protocol;

/// <summary>
/// The memory lane packet by packet, as gearmand behaves: submission, assignment in its three forms, the worker's
/// reports forwarded to the client byte for byte, sleeping workers, priorities, unique ids, status and lost peers.
/// </summary>
[Trait("Server", "Gantry")]
public sealed class JobFlowTests(MemoryLaneFixture fixture) : IClassFixture<MemoryLaneFixture>
{
    private ProtocolServer Server => fixture.Server;

    [Fact]
    public async Task A_job_goes_from_SUBMIT_JOB_to_JOB_ASSIGN_and_every_worker_report_reaches_the_client_byte_for_byte()
    {
        var function = Function("flow");
        await using var client = await Server.ConnectAsync("client");
        await using var worker = await Server.ConnectAsync("worker");
        var payload = "in\0put\u0001"u8.ToArray().Append((byte)0xff).ToArray();

        await client.SendAsync(T.SubmitJob, B(function), B(""), payload);
        var handle = (await client.ExpectAsync(T.JobCreated)).Body.ToArray();
        Assert.NotEmpty(handle);

        await worker.SendAsync(T.CanDo, B(function));
        await worker.SendAsync(T.GrabJob);
        var assign = await worker.ExpectAsync(T.JobAssign);
        Assert.Equal(handle, assign.Field(0).ToArray());
        Assert.Equal(function, assign.FieldString(1));
        Assert.Equal(payload, assign.Field(2).ToArray());

        (T Type, byte[][] Fields)[] reports =
        [
            (T.WorkData, [handle, "da\0ta\u0002"u8.ToArray()]),
            (T.WorkWarning, [handle, "care\0ful"u8.ToArray()]),
            (T.WorkStatus, [handle, B("3"), B("10")]),
            (T.WorkData, [handle, []]),
            (T.WorkComplete, [handle, "res\0ult"u8.ToArray()]),
        ];
        foreach (var (type, fields) in reports)
        {
            await worker.SendAsync(type, fields);
            var forwarded = await client.ExpectAsync(type);
            Assert.Equal(RawGearman.Packet(type, fields)[12..], forwarded.Body.ToArray());
        }

        await worker.SendAsync(T.GrabJob);
        await worker.ExpectAsync(T.NoJob);
    }

    [Fact]
    public async Task GRAB_JOB_UNIQ_carries_the_unique_id_and_GRAB_JOB_ALL_carries_the_reducer_of_SUBMIT_REDUCE_JOB()
    {
        var function = Function("uniq");
        await using var client = await Server.ConnectAsync("client");
        await using var worker = await Server.ConnectAsync("worker");
        await worker.SendAsync(T.CanDo, B(function));

        var unique = $"u-{Guid.NewGuid():N}";
        await client.SendAsync(T.SubmitJobBg, B(function), B(unique), B("plain data"));
        var handle = (await client.ExpectAsync(T.JobCreated)).Body.ToArray();
        await worker.SendAsync(T.GrabJobUniq);
        var assign = await worker.ExpectAsync(T.JobAssignUniq);
        Assert.Equal([RawGearman.Text(handle), function, unique, "plain data"], RawGearman.Fields(assign));
        await worker.SendAsync(T.WorkComplete, handle, B(""));

        var reduceUnique = $"r-{Guid.NewGuid():N}";
        var data = "map\0me"u8.ToArray();
        // libgearman's five fields: function, unique, reducer, an aggregator nobody uses, data.
        await client.SendAsync(T.SubmitReduceJob, B(function), B(reduceUnique), B("my_reducer"), B(""), data);
        var reduceHandle = (await client.ExpectAsync(T.JobCreated)).Body.ToArray();
        await worker.SendAsync(T.GrabJobAll);
        var all = await worker.ExpectAsync(T.JobAssignAll);
        Assert.Equal(reduceHandle, all.Field(0).ToArray());
        Assert.Equal(function, all.FieldString(1));
        Assert.Equal(reduceUnique, all.FieldString(2));
        Assert.Equal("my_reducer", all.FieldString(3));
        Assert.Equal(data, all.Field(4).ToArray());

        await worker.SendAsync(T.WorkComplete, reduceHandle, B("reduced"));
        Assert.Equal([RawGearman.Text(reduceHandle), "reduced"], await client.ExpectFieldsAsync(T.WorkComplete));
    }

    [Fact]
    public async Task A_sleeping_worker_gets_NOOP_when_a_job_arrives_and_PRE_SLEEP_with_work_queued_gets_NOOP_at_once()
    {
        var function = Function("sleep");
        await using var client = await Server.ConnectAsync("client");
        await using var sleeper = await Server.ConnectAsync("sleeping worker");
        await sleeper.SendAsync(T.CanDo, B(function));
        await sleeper.SendAsync(T.PreSleep);
        await sleeper.SyncAsync(); // nothing to do yet, so no NOOP before the echo

        await client.SendAsync(T.SubmitJobBg, B(function), B(""), B("wake up"));
        await client.ExpectAsync(T.JobCreated);
        await sleeper.ExpectAsync(T.Noop);

        // The job is still queued: a second worker that goes to sleep now is woken at once, before its echo comes back.
        await using var late = await Server.ConnectAsync("late worker");
        await late.SendAsync(T.CanDo, B(function));
        await late.SendAsync(T.PreSleep);
        await late.SendAsync(T.EchoReq, B("after PRE_SLEEP"));
        await late.ExpectAsync(T.Noop);
        await late.ExpectAsync(T.EchoRes);

        await sleeper.SendAsync(T.GrabJob);
        Assert.Equal("wake up", (await sleeper.ExpectAsync(T.JobAssign)).FieldString(2));
    }

    [Fact]
    public async Task A_worker_gets_high_priority_first_then_normal_oldest_first_across_functions_then_low()
    {
        var f1 = Function("prio1");
        var f2 = Function("prio2");
        await using var client = await Server.ConnectAsync("client");
        async Task Submit(T type, string function, string payload)
        {
            await client.SendAsync(type, B(function), B(""), B(payload));
            await client.ExpectAsync(T.JobCreated);
        }
        await Submit(T.SubmitJobLowBg, f1, "f1 low");
        await Submit(T.SubmitJobBg, f2, "f2 normal (older)");
        await Submit(T.SubmitJobBg, f1, "f1 normal (newer)");
        await Submit(T.SubmitJobHighBg, f1, "f1 high");

        await using var worker = await Server.ConnectAsync("worker");
        // f1 first, so a worker that walked its functions in order would take f1's normal job before f2's older one.
        await worker.SendAsync(T.CanDo, B(f1));
        await worker.SendAsync(T.CanDo, B(f2));
        var order = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            await worker.SendAsync(T.GrabJob);
            var assign = await worker.ExpectAsync(T.JobAssign);
            order.Add(assign.FieldString(2));
            await worker.SendAsync(T.WorkComplete, assign.Field(0).ToArray(), B(""));
        }
        Assert.Equal(["f1 high", "f2 normal (older)", "f1 normal (newer)", "f1 low"], order);
        await worker.SendAsync(T.GrabJob);
        await worker.ExpectAsync(T.NoJob);
    }

    [Fact]
    public async Task Two_clients_with_the_same_unique_share_one_job_and_both_get_the_result()
    {
        var function = Function("coalesce");
        var unique = $"same-{Guid.NewGuid():N}";
        await using var first = await Server.ConnectAsync("first client");
        await using var second = await Server.ConnectAsync("second client");
        await using var observer = await Server.ConnectAsync("observer");
        await using var worker = await Server.ConnectAsync("worker");

        await first.SendAsync(T.SubmitJob, B(function), B(unique), B("payload"));
        var handle = (await first.ExpectAsync(T.JobCreated)).Body.ToArray();
        await second.SendAsync(T.SubmitJob, B(function), B(unique), B("payload"));
        Assert.Equal(handle, (await second.ExpectAsync(T.JobCreated)).Body.ToArray());

        await observer.SendAsync(T.GetStatusUnique, B(unique));
        // unique, known, running, numerator, denominator, waiting clients
        Assert.Equal([unique, "1", "0", "0", "0", "2"], await observer.ExpectFieldsAsync(T.StatusResUnique));

        await worker.SendAsync(T.CanDo, B(function));
        await worker.SendAsync(T.GrabJob);
        Assert.Equal(handle, (await worker.ExpectAsync(T.JobAssign)).Field(0).ToArray());
        await worker.SendAsync(T.GrabJob);
        await worker.ExpectAsync(T.NoJob);

        await observer.SendAsync(T.GetStatusUnique, B(unique));
        Assert.Equal([unique, "1", "1", "0", "0", "2"], await observer.ExpectFieldsAsync(T.StatusResUnique));

        await worker.SendAsync(T.WorkComplete, handle, B("shared result"));
        Assert.Equal([RawGearman.Text(handle), "shared result"], await first.ExpectFieldsAsync(T.WorkComplete));
        Assert.Equal([RawGearman.Text(handle), "shared result"], await second.ExpectFieldsAsync(T.WorkComplete));

        await worker.SyncAsync();
        await observer.SendAsync(T.GetStatusUnique, B(unique));
        Assert.Equal([unique, "0", "0", "0", "0", "0"], await observer.ExpectFieldsAsync(T.StatusResUnique));
    }

    [Fact]
    public async Task A_dash_unique_coalesces_on_the_payload_and_an_empty_unique_never_coalesces()
    {
        var function = Function("dash");
        await using var client = await Server.ConnectAsync("client");
        async Task<string> Submit(string unique, string payload)
        {
            await client.SendAsync(T.SubmitJobBg, B(function), B(unique), B(payload));
            return RawGearman.Text((await client.ExpectAsync(T.JobCreated)).Body.Span);
        }
        var x1 = await Submit("-", "payload X");
        var x2 = await Submit("-", "payload X");
        var y = await Submit("-", "payload Y");
        var e1 = await Submit("", "payload E");
        var e2 = await Submit("", "payload E");
        Assert.Equal(x1, x2);
        Assert.NotEqual(x1, y);
        Assert.NotEqual(e1, e2);
        Assert.Equal(4, new[] { x1, y, e1, e2 }.Distinct().Count());

        await using var worker = await Server.ConnectAsync("worker");
        await worker.SendAsync(T.CanDo, B(function));
        var ran = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            await worker.SendAsync(T.GrabJob);
            var assign = await worker.ExpectAsync(T.JobAssign);
            ran.Add(assign.FieldString(2));
            await worker.SendAsync(T.WorkComplete, assign.Field(0).ToArray(), B(""));
        }
        Assert.Equal(["payload X", "payload Y", "payload E", "payload E"], ran);
        await worker.SendAsync(T.GrabJob);
        await worker.ExpectAsync(T.NoJob);
    }

    [Fact]
    public async Task GET_STATUS_reports_a_running_jobs_progress_and_unknown_once_it_is_done()
    {
        var function = Function("status");
        await using var client = await Server.ConnectAsync("client");
        await using var worker = await Server.ConnectAsync("worker");
        await client.SendAsync(T.SubmitJobBg, B(function), B(""), B("x"));
        var handle = (await client.ExpectAsync(T.JobCreated)).Body.ToArray();
        var h = RawGearman.Text(handle);

        await client.SendAsync(T.GetStatus, handle);
        Assert.Equal([h, "1", "0", "0", "0"], await client.ExpectFieldsAsync(T.StatusRes));

        await worker.SendAsync(T.CanDo, B(function));
        await worker.SendAsync(T.GrabJob);
        await worker.ExpectAsync(T.JobAssign);
        await worker.SendAsync(T.WorkStatus, handle, B("3"), B("10"));
        await worker.SyncAsync();
        await client.SendAsync(T.GetStatus, handle);
        Assert.Equal([h, "1", "1", "3", "10"], await client.ExpectFieldsAsync(T.StatusRes));

        await worker.SendAsync(T.WorkComplete, handle, B(""));
        await worker.SyncAsync();
        await client.SendAsync(T.GetStatus, handle);
        var done = await client.ExpectFieldsAsync(T.StatusRes);
        Assert.Equal(h, done[0]);
        Assert.Equal("0", done[1]);
        Assert.Equal("0", done[2]);
    }

    [Fact]
    public async Task A_job_whose_worker_disconnects_goes_to_another_worker_with_the_same_handle_and_the_client_gets_the_result()
    {
        var function = Function("lostworker");
        await using var client = await Server.ConnectAsync("client");
        await using var second = await Server.ConnectAsync("second worker");
        var first = await Server.ConnectAsync("first worker");

        await client.SendAsync(T.SubmitJob, B(function), B(""), B("survive"));
        var handle = (await client.ExpectAsync(T.JobCreated)).Body.ToArray();
        await first.SendAsync(T.CanDo, B(function));
        await first.SendAsync(T.GrabJob);
        Assert.Equal(handle, (await first.ExpectAsync(T.JobAssign)).Field(0).ToArray());

        await second.SendAsync(T.CanDo, B(function));
        await second.SendAsync(T.GrabJob);
        await second.ExpectAsync(T.NoJob);
        await second.SendAsync(T.PreSleep);
        await second.SyncAsync();

        await first.DisposeAsync();
        await second.ExpectAsync(T.Noop);
        await second.SendAsync(T.GrabJob);
        var again = await second.ExpectAsync(T.JobAssign);
        Assert.Equal(handle, again.Field(0).ToArray());
        Assert.Equal("survive", again.FieldString(2));

        await second.SendAsync(T.WorkComplete, handle, B("finished by the second"));
        Assert.Equal([RawGearman.Text(handle), "finished by the second"], await client.ExpectFieldsAsync(T.WorkComplete));
    }

    [Fact]
    public async Task A_foreground_job_whose_client_disconnects_before_any_worker_took_it_is_dropped()
    {
        var function = Function("lostclient");
        var clientId = $"leaving-{Guid.NewGuid():N}";
        await using var admin = await Server.ConnectAsync("admin");
        var client = await Server.ConnectAsync("client");
        await client.SendAsync(T.SetClientId, B(clientId));
        await client.SendAsync(T.SubmitJob, B(function), B(""), B("nobody waits"));
        var handle = RawGearman.Text((await client.ExpectAsync(T.JobCreated)).Body.Span);
        Assert.Contains(await admin.AdminListAsync("workers"), l => l.Contains($" {clientId} :", StringComparison.Ordinal));

        await client.DisposeAsync();
        // The server has dealt with the disconnect once the connection is gone from its list.
        List<string> workers = [];
        await Eventually.TrueAsync(async () =>
        {
            workers = await admin.AdminListAsync("workers");
            return !workers.Exists(l => l.Contains($" {clientId} :", StringComparison.Ordinal));
        }, "the server to notice the client left", RawGearman.Wait);

        await using var worker = await Server.ConnectAsync("worker");
        await worker.SendAsync(T.CanDo, B(function));
        await worker.SendAsync(T.GrabJob);
        await worker.ExpectAsync(T.NoJob);
        Assert.Contains($"{function}\t0\t0\t1", await admin.AdminListAsync("status"));
        Assert.DoesNotContain(await admin.AdminListAsync("show jobs"), l => l.StartsWith(handle + "\t", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WORK_EXCEPTION_reaches_only_clients_that_asked_for_exceptions_and_every_client_gets_WORK_FAIL()
    {
        var function = Function("exception");
        await using var asked = await Server.ConnectAsync("client with exceptions");
        await using var plain = await Server.ConnectAsync("client without");
        await using var worker = await Server.ConnectAsync("worker");
        await asked.SendAsync(T.OptionReq, B("exceptions"));
        await asked.ExpectAsync(T.OptionRes);

        await asked.SendAsync(T.SubmitJob, B(function), B(""), B("a"));
        var ha = (await asked.ExpectAsync(T.JobCreated)).Body.ToArray();
        await plain.SendAsync(T.SubmitJob, B(function), B(""), B("b"));
        var hb = (await plain.ExpectAsync(T.JobCreated)).Body.ToArray();

        await worker.SendAsync(T.CanDo, B(function));
        for (var i = 0; i < 2; i++)
        {
            await worker.SendAsync(T.GrabJob);
            var handle = (await worker.ExpectAsync(T.JobAssign)).Field(0).ToArray();
            await worker.SendAsync(T.WorkException, handle, "it\0broke"u8.ToArray());
            await worker.SendAsync(T.WorkFail, handle);
        }

        var exception = await asked.ExpectAsync(T.WorkException);
        Assert.Equal(Cat(ha, "\0it\0broke"u8.ToArray()), exception.Body.ToArray());
        Assert.Equal([RawGearman.Text(ha)], await asked.ExpectFieldsAsync(T.WorkFail));
        // The first packet after JOB_CREATED must be the WORK_FAIL: no WORK_EXCEPTION for this client.
        Assert.Equal([RawGearman.Text(hb)], await plain.ExpectFieldsAsync(T.WorkFail));
        await plain.SyncAsync();
    }

    [Fact]
    public async Task A_worker_that_sends_WORK_EXCEPTION_and_then_grabs_again_has_failed_the_job()
    {
        var function = Function("abandoned");
        await using var client = await Server.ConnectAsync("client");
        await using var worker = await Server.ConnectAsync("worker");
        await client.SendAsync(T.OptionReq, B("exceptions"));
        await client.ExpectAsync(T.OptionRes);
        await client.SendAsync(T.SubmitJob, B(function), B(""), B("x"));
        var handle = (await client.ExpectAsync(T.JobCreated)).Body.ToArray();

        await worker.SendAsync(T.CanDo, B(function));
        await worker.SendAsync(T.GrabJob);
        await worker.ExpectAsync(T.JobAssign);
        await worker.SendAsync(T.WorkException, handle, B("gave up"));
        await worker.SendAsync(T.GrabJob);
        await worker.ExpectAsync(T.NoJob);

        Assert.Equal([RawGearman.Text(handle), "gave up"], await client.ExpectFieldsAsync(T.WorkException));
        Assert.Equal([RawGearman.Text(handle)], await client.ExpectFieldsAsync(T.WorkFail));
    }

    [Fact]
    public async Task A_worker_that_overruns_its_CAN_DO_TIMEOUT_fails_the_job_and_its_late_result_is_ignored()
    {
        var function = Function("timeout");
        await using var client = await Server.ConnectAsync("client");
        await using var worker = await Server.ConnectAsync("worker");
        // 1000: milliseconds, as libgearman sends them (a number below 1000 would be read as seconds).
        await worker.SendAsync(T.CanDoTimeout, B(function), B("1000"));
        await client.SendAsync(T.SubmitJob, B(function), B(""), B("slow"));
        var handle = (await client.ExpectAsync(T.JobCreated)).Body.ToArray();
        await worker.SendAsync(T.GrabJob);
        await worker.ExpectAsync(T.JobAssign);

        Assert.Equal([RawGearman.Text(handle)], await client.ExpectFieldsAsync(T.WorkFail));

        await worker.SendAsync(T.WorkComplete, handle, B("too late"));
        await worker.SyncAsync();
        await client.SyncAsync();
    }

    [Fact]
    public async Task SUBMIT_JOB_EPOCH_is_assigned_only_once_its_time_has_come()
    {
        var function = Function("epoch");
        await using var client = await Server.ConnectAsync("client");
        await using var worker = await Server.ConnectAsync("worker");
        await worker.SendAsync(T.CanDo, B(function));
        await worker.SyncAsync();

        var at = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3);
        await client.SendAsync(T.SubmitJobEpoch, B(function), B(""), B(at.ToUnixTimeSeconds().ToString()), B("later"));
        var handle = (await client.ExpectAsync(T.JobCreated)).Body.ToArray();

        await worker.SendAsync(T.GrabJob);
        var early = await worker.ReceiveAsync("NO_JOB");
        var now = DateTimeOffset.UtcNow;
        Assert.True(early.Type == T.NoJob, $"GRAB_JOB at {now:HH:mm:ss.fff} for a job due at {at:HH:mm:ss} got {RawGearman.Describe(early)}");

        var assign = await NextJobAsync(worker);
        var assignedAt = DateTimeOffset.UtcNow;
        Assert.Equal(handle, assign.Field(0).ToArray());
        Assert.Equal("later", assign.FieldString(2));
        Assert.True(assignedAt >= at - TimeSpan.FromMilliseconds(100), $"assigned at {assignedAt:HH:mm:ss.fff}, before its time {at:HH:mm:ss.fff}");
        await worker.SendAsync(T.WorkComplete, handle, B(""));
    }
}
