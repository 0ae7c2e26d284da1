using Gantry.Client;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Gantry.Server.Tests.Sdk;

/// <summary>Stopping a worker host while handlers run: they finish within the grace period; past it, a handler that
/// ignores its token has its job given back to the queue, so no job is lost. (Client-side, so one store is enough.)</summary>
public sealed class WorkerShutdownTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly InProcessServer _server = fixture.Server;

    [Fact]
    public async Task Stopping_the_host_lets_running_handlers_finish_and_report_within_the_grace_period()
    {
        var queue = Names.Queue();
        var probe = new HandlerProbe();
        var a = await _server.Client.EnqueueAsync(queue, new Numbers(1, 0));
        var b = await _server.Client.EnqueueAsync(queue, new Numbers(2, 0));
        var worker = await WorkerHost.StartAsync(_server.BaseAddress, w => w.AddHandler<GatedHandler>(queue, 2), [probe],
            o => o.ShutdownGracePeriod = TimeSpan.FromSeconds(40));
        await Eventually.TrueAsync(() => probe.Running == 2, "both handlers running");

        var stopping = worker.StopAsync();
        var lifetime = worker.Services.GetRequiredService<IHostApplicationLifetime>();
        await Eventually.TrueAsync(() => lifetime.ApplicationStopping.IsCancellationRequested, "the host is stopping");
        Assert.False(stopping.IsCompleted, "the host must wait for its running handlers");

        probe.Gate.Release(2);
        await stopping.WaitAsync(Limit);
        await worker.DisposeAsync();

        Assert.Equal(0, probe.TokensFired);
        foreach (var id in new[] { a.Id, b.Id })
        {
            var job = await _server.Client.GetAsync(id);
            Assert.Equal("succeeded", job!.State);
            Assert.Equal(1, job.Attempt);
        }
    }

    [Fact]
    public async Task Handler_ignoring_its_token_past_a_short_grace_has_its_job_released_uncounted_and_another_worker_finishes_it()
    {
        var queue = Names.Queue();
        var stubborn = new HandlerProbe();
        var job = await _server.Client.EnqueueAsync(queue, new Numbers(20, 22), new EnqueueOptions { MaxAttempts = 1 });
        var first = await WorkerHost.StartAsync(_server.BaseAddress, w => w.AddHandler<StubbornHandler>(queue), [stubborn],
            o => o.ShutdownGracePeriod = TimeSpan.FromMilliseconds(200));
        Assert.Equal(job.Id, await stubborn.Started.Task.WaitAsync(Limit));

        await first.StopAsync().WaitAsync(Limit);

        // The token fired when the grace ran out, and the job went back: available, its attempt not counted.
        Assert.Equal(job.Id, await stubborn.TokenFired.Task.WaitAsync(Limit));
        var released = await _server.Client.GetAsync(job.Id);
        Assert.Equal("available", released!.State);
        Assert.Equal(0, released.Attempt);
        stubborn.Gate.Release(); // the stubborn handler returns at last; its result must not count
        await first.DisposeAsync();

        var probe = new HandlerProbe();
        await using var second = await WorkerHost.StartAsync(_server.BaseAddress, w => w.AddHandler<AddHandler>(queue), [probe]);
        Assert.Equal(42, (await _server.Client.GetResultAsync<Sum>(job.Id, Limit))!.Total);
        var done = await _server.Client.GetAsync(job.Id);
        Assert.Equal(1, done!.Attempt);
        Assert.Empty(done.Errors);
    }

    [Fact]
    public async Task Stopping_an_idle_host_ends_its_long_poll_instead_of_waiting_it_out()
    {
        var queue = Names.Queue();
        var worker = await WorkerHost.StartAsync(_server.BaseAddress, w => w.AddHandler<AddHandler>(queue), [new HandlerProbe()],
            o => o.FetchWait = TimeSpan.FromSeconds(50));

        // The limit is below the 50 s long poll: only a cancelled fetch lets the stop finish inside it.
        await worker.StopAsync().WaitAsync(Limit);
        await worker.DisposeAsync();
    }
}
