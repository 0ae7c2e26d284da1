using Xunit;
using static Gantry.Gearman.Tests.Protocol.Wire;
using T = Gantry.Protocol.Gearman.GearmanPacketType;

namespace Gantry.Gearman.Tests.Protocol;

/// <summary>
/// Gantry only: <c>Gantry:Gearman:Functions:NAME:Retries</c> runs a failed background job of the memory lane again,
/// after a backoff; gearmand (and Retries=0) drops it at the first WORK_FAIL.
/// </summary>
[Trait("Server", "Gantry")]
public sealed class MemoryRetryTests(MemoryLaneFixture fixture) : IClassFixture<MemoryLaneFixture>
{
    private ProtocolServer Server => fixture.Server;

    [Fact]
    public async Task A_background_job_of_a_function_with_two_retries_is_handed_out_three_times_then_dropped()
    {
        const string function = MemoryLaneFixture.Flaky;
        await using var client = await Server.ConnectAsync("client");
        await using var worker = await Server.ConnectAsync("worker");
        await worker.SendAsync(T.CanDo, B(function));
        await client.SendAsync(T.SubmitJobBg, B(function), B(""), B("try me"));
        var handle = (await client.ExpectAsync(T.JobCreated)).Body.ToArray();

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var assign = await NextJobAsync(worker);
            Assert.Equal(handle, assign.Field(0).ToArray());
            Assert.Equal("try me", assign.FieldString(2));
            await worker.SendAsync(T.WorkFail, handle);
            // Right after the failure the job is either waiting for its retry (counted) or gone for good.
            var expected = attempt < 3 ? 1 : 0;
            Assert.Contains($"{function}\t{expected}\t0\t1", await worker.AdminListAsync("status"));
        }
        await worker.SendAsync(T.GrabJob);
        await worker.ExpectAsync(T.NoJob);
    }

    [Fact]
    public async Task A_background_job_of_a_function_without_retries_is_dropped_at_its_first_failure()
    {
        const string function = MemoryLaneFixture.Steady;
        await using var client = await Server.ConnectAsync("client");
        await using var worker = await Server.ConnectAsync("worker");
        await worker.SendAsync(T.CanDo, B(function));
        await client.SendAsync(T.SubmitJobBg, B(function), B(""), B("once"));
        var handle = (await client.ExpectAsync(T.JobCreated)).Body.ToArray();

        await worker.SendAsync(T.GrabJob);
        Assert.Equal(handle, (await worker.ExpectAsync(T.JobAssign)).Field(0).ToArray());
        await worker.SendAsync(T.WorkFail, handle);
        Assert.Contains($"{function}\t0\t0\t1", await worker.AdminListAsync("status"));
        await worker.SendAsync(T.GrabJob);
        await worker.ExpectAsync(T.NoJob);
    }
}
