using System.Net;
using System.Text;
using Gantry.Client;
using Gantry.Testing;
using Gantry.Workers.Tests.Infrastructure;

namespace Gantry.Workers.Tests;

/// <summary>The other two kinds of pool: a .NET handler type loaded from an assembly file (this test assembly), and an
/// HTTP endpoint (an HttpListener in the test) that gets each payload POSTed.</summary>
public sealed class HandlerKindTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task A_handler_type_from_an_assembly_file_works_jobs_in_the_children()
    {
        var queue = ServerFixture.Queue("dotnet");
        var folder = WorkerManager.NewFolder();
        await using var manager = await WorkerManager.StartAsync(server, folder, $"""
            pools:
              - name: dotnet
                queues: [{queue}]
                handler: "{typeof(ReverseHandler).FullName}, {typeof(ReverseHandler).Assembly.GetName().Name}"
                assembly: {typeof(ReverseHandler).Assembly.Location}
            """);
        var ready = await manager.WaitForReadyAsync();

        var job = await server.Client.FinishedAsync(await server.Client.EnqueueTextAsync(queue, "stressed"));
        var failed = await server.Client.FinishedAsync(await server.Client.EnqueueTextAsync(queue, "fail", new EnqueueOptions { MaxAttempts = 1 }));

        Assert.Equal("succeeded", job.State);
        Assert.Equal($"desserts {WorkerManager.Pids(ready, "dotnet").Single()}", job.ResultText());
        Assert.Equal("dead", failed.State);
        Assert.Contains("asked to fail", failed.Errors());
    }

    [Fact]
    public async Task A_url_pool_posts_payloads_and_discards_jobs_the_endpoint_rejects()
    {
        var queue = ServerFixture.Queue("http");
        var url = FreePort.LoopbackUrl() + "/hook/";
        using var listener = new HttpListener();
        listener.Prefixes.Add(url);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(() => ServeAsync(listener, stop.Token));

        var folder = WorkerManager.NewFolder();
        await using var manager = await WorkerManager.StartAsync(server, folder, $"""
            pools:
              - name: http
                queues: [{queue}]
                url: {url}
                concurrency: 2
            """);
        await manager.WaitForReadyAsync();

        var ok = await server.Client.FinishedAsync(await server.Client.EnqueueTextAsync(queue, "{\"n\":1}"));
        var rejected = await server.Client.FinishedAsync(await server.Client.EnqueueTextAsync(queue, "reject"));
        var flaky = await server.Client.FinishedAsync(await server.Client.EnqueueTextAsync(queue, "busy", new EnqueueOptions { MaxAttempts = 2 }));

        Assert.Equal("succeeded", ok.State);
        Assert.Equal($"application/json {ok.Id} {{\"n\":1}}", ok.ResultText());
        Assert.Equal("dead", rejected.State);
        Assert.Single(rejected.Errors);
        Assert.Contains("422", rejected.Errors());
        Assert.Contains("no such thing", rejected.Errors());
        Assert.Equal("dead", flaky.State);
        Assert.Equal(2, flaky.Errors.Count);
        Assert.Contains("503", flaky.Errors());
        stop.Cancel();
        listener.Stop();
    }

    /// <summary>Echoes content type, job id and body; "reject" gets 422 (discard), "busy" gets 503 (retry).</summary>
    private static async Task ServeAsync(HttpListener listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException) { return; }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var (status, answer) = body switch
            {
                "reject" => (422, "no such thing"),
                "busy" => (503, "try later"),
                _ => (200, $"{context.Request.ContentType} {context.Request.Headers["Gantry-Job-Id"]} {body}"),
            };
            context.Response.StatusCode = status;
            var bytes = Encoding.UTF8.GetBytes(answer);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }
}
