using Gantry.Client;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Gantry.Server.Tests.Sdk;

/// <summary>
/// What an SDK worker's log says when its server goes away and comes back (one line each way, no stack traces, a
/// backoff between tries), and when a handler discards a job.
/// </summary>
public sealed class WorkerLogTests
{
    [Fact]
    public async Task A_server_that_goes_away_is_logged_once_without_a_stack_trace_and_its_return_once()
    {
        await using var store = TestStore.Sqlite();
        var url = FreePort.LoopbackUrl();
        var queue = Names.Queue();
        var logs = new LogLines();
        await using var first = await ServerProcess.StartAsync(store, urls: url);
        using var client = new GantryClient(new GantryClientOptions { ServerUrl = first.BaseAddress });
        await using var worker = await WorkerHost.StartAsync(first.BaseAddress, w => w.AddHandler<AddHandler>(queue), [new HandlerProbe()],
            o =>
            {
                o.FetchWait = TimeSpan.FromSeconds(1);
                o.RetryDelay = TimeSpan.FromMilliseconds(50);
                o.MaxRetryDelay = TimeSpan.FromMilliseconds(200);
            }, logs);
        Assert.Equal(new Sum(3), await client.RunAsync<Numbers, Sum>(queue, new Numbers(1, 2), TimeSpan.FromSeconds(30)));

        await first.KillAsync();
        await Eventually.TrueAsync(() => Failures(logs).Count > 0, "the worker to log that fetching fails");
        await using var second = await ServerProcess.StartAsync(store, urls: url);
        Assert.Equal(new Sum(7), await client.RunAsync<Numbers, Sum>(queue, new Numbers(3, 4), TimeSpan.FromSeconds(30)));
        await Eventually.TrueAsync(() => logs.All.Any(l => l.Message.Contains($"Fetching from queue {queue} works again")),
            "the worker to log that fetching works again");

        var failure = Assert.Single(Failures(logs));
        Assert.Equal(LogLevel.Warning, failure.Level);
        Assert.Null(failure.Exception);
        Assert.Contains("cannot be reached", failure.Message);
        Assert.DoesNotContain(logs.All, l => l.Exception is not null);
    }

    [Fact]
    public async Task A_discarded_job_leaves_a_line_with_its_reason()
    {
        await using var store = TestStore.Sqlite();
        await using var server = await ServerProcess.StartAsync(store);
        var queue = Names.Queue();
        var logs = new LogLines();
        using var client = new GantryClient(new GantryClientOptions { ServerUrl = server.BaseAddress });
        await using var worker = await WorkerHost.StartAsync(server.BaseAddress, w => w.AddHandler<DiscardingHandler>(queue), [new HandlerProbe()], logs: logs);

        var id = (await client.EnqueueAsync(queue, new { invoice = 7 })).Id;
        Assert.Equal("dead", (await client.WaitAsync(id, TimeSpan.FromSeconds(30))).State);

        await Eventually.TrueAsync(() => logs.All.Any(l => l.Message.Contains($"Job {id} of queue {queue} was discarded by its handler") &&
                                                           l.Message.Contains("the invoice number does not exist")),
            "the discard's log line");
    }

    private static List<LogLines.Line> Failures(LogLines logs) => [.. logs.All.Where(l => l.Message.Contains("Fetching from queue") && l.Message.Contains("failed"))];
}
