using System.Text.RegularExpressions;
using Xunit;
using static Gantry.Gearman.Tests.Protocol.Wire;
using T = Gantry.Protocol.Gearman.GearmanPacketType;

namespace Gantry.Gearman.Tests.Protocol;

/// <summary>gearmand's admin text protocol on the Gearman port, in gearmand's formats; every list ends with ".".</summary>
[Trait("Server", "Gantry")]
public sealed class AdminProtocolTests(MemoryLaneFixture fixture) : IClassFixture<MemoryLaneFixture>
{
    private ProtocolServer Server => fixture.Server;

    [Fact]
    public async Task Status_counts_queued_and_running_jobs_and_workers_and_prioritystatus_splits_them_by_priority()
    {
        var function = Function("adm_status");
        await using var admin = await Server.ConnectAsync("admin");
        await using var client = await Server.ConnectAsync("client");
        await using var worker = await Server.ConnectAsync("worker");
        await worker.SendAsync(T.CanDo, B(function));
        await client.SendAsync(T.SubmitJobHighBg, B(function), B(""), B("h"));
        await client.ExpectAsync(T.JobCreated);
        await client.SendAsync(T.SubmitJobBg, B(function), B(""), B("n1"));
        await client.ExpectAsync(T.JobCreated);
        await client.SendAsync(T.SubmitJobBg, B(function), B(""), B("n2"));
        await client.ExpectAsync(T.JobCreated);
        await client.SendAsync(T.SubmitJobLowBg, B(function), B(""), B("l"));
        await client.ExpectAsync(T.JobCreated);
        await worker.SyncAsync();

        // FUNCTION TOTAL RUNNING WORKERS / FUNCTION HIGH NORMAL LOW WORKERS
        Assert.Contains($"{function}\t4\t0\t1", await admin.AdminListAsync("status"));
        Assert.Contains($"{function}\t1\t2\t1\t1", await admin.AdminListAsync("prioritystatus"));

        await worker.SendAsync(T.GrabJob);
        var assign = await worker.ExpectAsync(T.JobAssign);
        Assert.Contains($"{function}\t4\t1\t1", await admin.AdminListAsync("status"));
        Assert.Contains($"{function}\t0\t2\t1\t1", await admin.AdminListAsync("prioritystatus"));

        await worker.SendAsync(T.WorkComplete, assign.Field(0).ToArray(), B(""));
        await worker.SyncAsync();
        Assert.Contains($"{function}\t3\t0\t1", await admin.AdminListAsync("status"));
    }

    [Fact]
    public async Task Workers_lists_each_connection_with_its_address_client_id_and_functions()
    {
        var f1 = Function("adm_w1");
        var f2 = Function("adm_w2");
        var id = $"wid-{Guid.NewGuid():N}"[..16];
        await using var admin = await Server.ConnectAsync("admin");
        await using var worker = await Server.ConnectAsync("worker");
        await worker.SendAsync(T.SetClientId, B(id));
        await worker.SendAsync(T.CanDo, B(f1));
        await worker.SendAsync(T.CanDo, B(f2));
        await worker.SyncAsync();

        var lines = await admin.AdminListAsync("workers");
        var pattern = new Regex($@"^\d+ 127\.0\.0\.1 {Regex.Escape(id)} : {f1} {f2}$");
        Assert.True(lines.Exists(pattern.IsMatch), $"no line like '{pattern}' in:\n{string.Join("\n", lines)}");
        // The admin connection itself is listed too, with no client id and no functions.
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^\d+ 127\.0\.0\.1 - :$"));
    }

    [Fact]
    public async Task Show_jobs_and_show_unique_jobs_list_queued_jobs()
    {
        var function = Function("adm_show");
        var unique = $"uq-{Guid.NewGuid():N}";
        await using var admin = await Server.ConnectAsync("admin");
        await using var client = await Server.ConnectAsync("client");
        await client.SendAsync(T.SubmitJobBg, B(function), B(unique), B("x"));
        var handle = RawGearman.Text((await client.ExpectAsync(T.JobCreated)).Body.Span);

        // HANDLE RETRIES IGNORE QUEUED
        Assert.Contains($"{handle}\t0\t0\t1", await admin.AdminListAsync("show jobs"));
        var uniques = await admin.AdminListAsync("show unique jobs");
        Assert.Contains(uniques, l => l.Split('\t')[0] == unique);
    }

    [Fact]
    public async Task Cancel_job_removes_a_queued_job()
    {
        var function = Function("adm_cancel");
        await using var admin = await Server.ConnectAsync("admin");
        await using var client = await Server.ConnectAsync("client");
        await client.SendAsync(T.SubmitJobBg, B(function), B(""), B("x"));
        var handle = RawGearman.Text((await client.ExpectAsync(T.JobCreated)).Body.Span);

        Assert.Equal("OK", await admin.AdminAsync($"cancel job {handle}"));
        Assert.DoesNotContain(await admin.AdminListAsync("show jobs"), l => l.StartsWith(handle + "\t", StringComparison.Ordinal));
        Assert.Contains($"{function}\t0\t0\t0", await admin.AdminListAsync("status"));
        await using var worker = await Server.ConnectAsync("worker");
        await worker.SendAsync(T.CanDo, B(function));
        await worker.SendAsync(T.GrabJob);
        await worker.ExpectAsync(T.NoJob);
    }

    [Fact]
    public async Task Maxqueue_on_a_function_with_jobs_refuses_the_next_background_job()
    {
        var function = Function("adm_maxq");
        await using var admin = await Server.ConnectAsync("admin");
        await using var client = await Server.ConnectAsync("client");
        await client.SendAsync(T.SubmitJobBg, B(function), B(""), B("first"));
        await client.ExpectAsync(T.JobCreated);

        Assert.Equal("OK", await admin.AdminAsync($"maxqueue {function} 1"));
        await client.SendAsync(T.SubmitJobBg, B(function), B(""), B("second"));
        await client.ExpectAsync(T.Error);
        Assert.Contains($"{function}\t1\t0\t0", await admin.AdminListAsync("status"));
    }

    [Fact]
    public async Task Create_function_and_drop_function_add_and_remove_it_from_status()
    {
        var function = Function("adm_create");
        await using var admin = await Server.ConnectAsync("admin");
        Assert.Equal("OK", await admin.AdminAsync($"create function {function}"));
        Assert.Contains($"{function}\t0\t0\t0", await admin.AdminListAsync("status"));
        Assert.Equal("OK", await admin.AdminAsync($"drop function {function}"));
        Assert.DoesNotContain(await admin.AdminListAsync("status"), l => l.Split('\t')[0] == function);
    }

    [Fact]
    public async Task Version_getpid_and_unknown_commands_answer_in_one_line()
    {
        await using var admin = await Server.ConnectAsync("admin");
        Assert.Matches(@"^OK \S+$", await admin.AdminAsync("version"));
        Assert.Equal($"OK {Environment.ProcessId}", await admin.AdminAsync("getpid"));
        Assert.StartsWith("ERR UNKNOWN_COMMAND", await admin.AdminAsync("frobnicate now"));
        // Text and packets mix on one connection.
        await admin.SyncAsync();
        Assert.Equal($"OK {Environment.ProcessId}", await admin.AdminAsync("getpid"));
    }
}

/// <summary>With <c>Gantry:Gearman:AdminWrites=false</c>, commands that change state are refused and change nothing.</summary>
[Trait("Server", "Gantry")]
public sealed class ReadOnlyAdminProtocolTests(ReadOnlyAdminFixture fixture) : IClassFixture<ReadOnlyAdminFixture>
{
    [Fact]
    public async Task Cancel_job_is_refused_with_PERMISSION_DENIED_and_the_job_stays()
    {
        var function = Function("ro_cancel");
        await using var admin = await fixture.Server.ConnectAsync("admin");
        await using var client = await fixture.Server.ConnectAsync("client");
        await client.SendAsync(T.SubmitJobBg, B(function), B(""), B("keep me"));
        var handle = (await client.ExpectAsync(T.JobCreated)).Body.ToArray();
        var h = RawGearman.Text(handle);

        Assert.StartsWith("ERR PERMISSION_DENIED", await admin.AdminAsync($"cancel job {h}"));
        Assert.Contains($"{h}\t0\t0\t1", await admin.AdminListAsync("show jobs"));
        // Reading still works.
        Assert.Contains($"{function}\t1\t0\t0", await admin.AdminListAsync("status"));

        await using var worker = await fixture.Server.ConnectAsync("worker");
        await worker.SendAsync(T.CanDo, B(function));
        await worker.SendAsync(T.GrabJob);
        var assign = await worker.ExpectAsync(T.JobAssign);
        Assert.Equal(handle, assign.Field(0).ToArray());
        Assert.Equal("keep me", assign.FieldString(2));
    }
}
