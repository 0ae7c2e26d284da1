using System.Net;
using System.Text.RegularExpressions;
using Gantry.Gearman.Tests.Infrastructure;
using Gantry.Gearman.Tests.Protocol;
using Gantry.Testing;
using Xunit;
using static Gantry.Gearman.Tests.Infrastructure.GearmanTools;
using static Gantry.Gearman.Tests.Protocol.Wire;
using T = Gantry.Protocol.Gearman.GearmanPacketType;

namespace Gantry.Gearman.Tests;

/// <summary>
/// A client that uses a new function name for every job (background jobs, each worked at once) must not leave the
/// server holding every name for ever: the function list (gearadmin status) forgets them at once, the queue list is
/// bounded by the memory lane's short history, and the per-queue statistics (the totals in /metrics) forget them once
/// idle, while the queues still in use (a job waiting, a worker connected) keep their counters; and the statistics hold
/// at most Gantry:Stats:MaxQueues queues meanwhile.
/// </summary>
[Trait("Server", "Gantry")]
public sealed partial class ManyNamesTests
{
    private const int NameCount = 200;

    [Fact]
    public async Task Names_used_once_are_forgotten_and_the_queues_in_use_keep_their_counters()
    {
        await using var server = await GearmanServer.StartGantryAsync(new Dictionary<string, string?>
        {
            ["GANTRY_STATS__IDLEEXPIRY"] = "00:00:01",
            ["GANTRY_STATS__CHECKINTERVAL"] = "00:00:00.2",
            ["GANTRY_MEMORYLANE__KEEPUNWATCHED"] = "20",
        });
        using var http = new HttpApi(server.HttpBase);
        var endpoint = new IPEndPoint(IPAddress.Parse(server.Host), server.Port);
        var waiting = Function("keep_job");   // one job done, one waiting for a worker
        var served = Function("keep_worker"); // one job done, its worker still connected
        var flood = Function("flood");

        await using var client = await RawGearman.ConnectAsync(endpoint, "client");
        await using var worker = await RawGearman.ConnectAsync(endpoint, "worker");
        await WorkOneAsync(client, worker, waiting);
        await client.SendAsync(T.SubmitJobBg, B(waiting), B(""), B("waits"));
        await client.ExpectAsync(T.JobCreated);
        await using var resident = await RawGearman.ConnectAsync(endpoint, "resident worker");
        await WorkOneAsync(client, resident, served, stay: true);

        for (var i = 0; i < NameCount; i++) await WorkOneAsync(client, worker, $"{flood}_{i}");

        var status = await GearadminAsync(server, "--status");
        Assert.True(status.ExitCode == 0, $"{status}");
        Assert.DoesNotContain(status.Lines, l => l.StartsWith(flood, StringComparison.Ordinal));
        Assert.NotNull(status.StatusOf(waiting));
        Assert.NotNull(status.StatusOf(served));

        var (_, queues, _) = await http.GetAsync("/api/queues");
        var listed = queues.GetProperty("queues").EnumerateArray().Select(q => q.GetProperty("name").GetString()!).ToList();
        Assert.True(listed.Count <= 20 + 2, $"/api/queues lists {listed.Count} queues: {string.Join(", ", listed)}");

        Dictionary<string, long> totals = [];
        await Eventually.TrueAsync(async () =>
        {
            totals = await SucceededAsync(http);
            return !totals.Keys.Any(q => q.StartsWith(flood, StringComparison.Ordinal)) && totals.ContainsKey(waiting) && totals.ContainsKey(served);
        }, "the flood's statistics to be forgotten while the queues in use keep theirs");
        Assert.Equal(1, totals[waiting]);
        Assert.Equal(1, totals[served]);
    }

    [Fact]
    public async Task Statistics_are_kept_for_at_most_MaxQueues_queues_and_the_first_ones_keep_theirs()
    {
        await using var server = await GearmanServer.StartGantryAsync(new Dictionary<string, string?>
        {
            ["GANTRY_STATS__MAXQUEUES"] = "50",
        });
        using var http = new HttpApi(server.HttpBase);
        var endpoint = new IPEndPoint(IPAddress.Parse(server.Host), server.Port);
        var first = Function("first");
        var flood = Function("flood");
        await using var client = await RawGearman.ConnectAsync(endpoint, "client");
        await using var worker = await RawGearman.ConnectAsync(endpoint, "worker");

        await WorkOneAsync(client, worker, first);
        for (var i = 0; i < NameCount; i++) await WorkOneAsync(client, worker, $"{flood}_{i}");
        await WorkOneAsync(client, worker, first);

        Dictionary<string, long> totals = [];
        await Eventually.TrueAsync(async () => (totals = await SucceededAsync(http)).GetValueOrDefault(first) == 2,
            "the first queue's second job in the statistics");
        Assert.Equal(50, totals.Count);
        Assert.Contains("Gantry:Stats:MaxQueues", server.Output);
    }

    /// <summary>A background job to <paramref name="function"/>, worked by <paramref name="worker"/>, which then stops
    /// doing the function unless <paramref name="stay"/>.</summary>
    private static async Task WorkOneAsync(RawGearman client, RawGearman worker, string function, bool stay = false)
    {
        await client.SendAsync(T.SubmitJobBg, B(function), B(""), B("x"));
        var handle = (await client.ExpectAsync(T.JobCreated)).Body.ToArray();
        await worker.SendAsync(T.CanDo, B(function));
        await worker.SendAsync(T.GrabJob);
        var assign = await worker.ExpectAsync(T.JobAssign);
        Assert.Equal(handle, assign.Field(0).ToArray());
        await worker.SendAsync(T.WorkComplete, handle, B("ok"));
        if (!stay) await worker.SendAsync(T.CantDo, B(function));
        await worker.SyncAsync();
    }

    /// <summary>The succeeded totals per queue in /metrics: the statistics' queues.</summary>
    private static async Task<Dictionary<string, long>> SucceededAsync(HttpApi http)
    {
        var (status, _, text) = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, status);
        return SucceededLine().Matches(text).ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value));
    }

    [GeneratedRegex("""^gantry_jobs_processed_total\{queue="([^"]+)",outcome="succeeded"\} (\d+)$""", RegexOptions.Multiline)]
    private static partial Regex SucceededLine();
}
