using Gantry.Core.Engine;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Gantry.Server.Tests.Api;

/// <summary>Queue names come from clients: a fetch loop kept per name ever fetched would grow without bound. Idle ones are
/// forgotten, busy ones are not, and a forgotten queue is fetched from as before.</summary>
public sealed class FetcherGrowthTests
{
    [Fact]
    public async Task Fetch_loops_of_queues_nobody_fetches_from_are_forgotten_and_a_waiting_one_is_kept()
    {
        await using var store = TestStore.Sqlite();
        await using var server = await InProcessServer.StartAsync(store);
        var engine = server.App.Services.GetRequiredService<JobEngine>();
        var names = Enumerable.Range(0, 200).Select(_ => Names.Queue()).ToList();
        foreach (var name in names) Assert.Empty(await engine.FetchAsync(name, 1, TimeSpan.FromMilliseconds(1)));
        var waiting = Names.Queue();
        var parked = engine.FetchAsync(waiting, 1, TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => engine.WaitingFetches(waiting) == 1, "the long poll to park");
        Assert.Equal(names.Count + 1, engine.FetchLoops);

        await Eventually.TrueAsync(() =>
        {
            engine.ForgetIdleFetchers();
            return engine.FetchLoops == 1;
        }, "every idle fetch loop to be forgotten (a loop still finishing its last pass is forgotten on a later pass)");

        Assert.Equal(1, engine.WaitingFetches(waiting)); // kept: a worker waits on it
        var id = await server.Http.EnqueueAsync(waiting);
        Assert.Equal(id, Assert.Single(await parked).Id);
        var again = await server.Http.EnqueueAsync(names[0]);
        Assert.Equal(again, Assert.Single(await engine.FetchAsync(names[0], 1, TimeSpan.FromSeconds(10))).Id);
    }
}
