using System.Net.Sockets;
using System.Text;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Gantry.Server.Tests.Api;

/// <summary>
/// Clients that hang up on an SSE stream are ordinary: the server must let each stream go quietly. (It once disposed the
/// stream's iterator while a step of it was still in flight, which throws, and logged an unhandled exception per
/// disconnected subscriber; the fan-out benchmark showed 2,020 of them.)
/// </summary>
public sealed class SseDisconnectTests
{
    [Fact]
    public async Task Subscribers_that_hang_up_leave_no_error_in_the_log_and_no_presence()
    {
        var logs = new LogLines();
        await using var store = TestStore.Sqlite();
        await using var server = await InProcessServer.StartAsync(store, services: s => s.AddSingleton<ILoggerProvider>(logs));
        const string topic = "sse.hangup";
        await server.Http.ApiPostAsync($"/api/topics/{topic}/messages", """{"payload":0}""");

        var sockets = new List<Socket>();
        for (var i = 0; i < 50; i++)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /api/topics/{topic}/events?from=first HTTP/1.1\r\nHost: x\r\n\r\n"));
            sockets.Add(socket);
        }
        await Eventually.TrueAsync(async () => (await server.Http.ApiGetAsync($"/api/topics/{topic}/subscribers")).Json["subscribers"]!.AsArray().Count == 50,
            "all 50 subscribers present");
        for (var i = 1; i <= 5; i++) await server.Http.ApiPostAsync($"/api/topics/{topic}/messages", $$"""{"payload":{{i}}}""");
        foreach (var s in sockets) s.Dispose();

        await Eventually.TrueAsync(async () => (await server.Http.ApiGetAsync($"/api/topics/{topic}/subscribers")).Json["subscribers"]!.AsArray().Count == 0,
            "every hung-up subscriber gone from presence");
        var errors = logs.All.Where(l => l.Level >= LogLevel.Error).Select(l => $"{l.Category}: {l.Message} {l.Exception}").ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(3)));
    }
}
