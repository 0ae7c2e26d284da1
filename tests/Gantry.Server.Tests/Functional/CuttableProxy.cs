using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gantry.Server.Tests.Functional;

/// <summary>
/// Network fault injection between a real client and a real server: a loopback TCP relay whose connections the test
/// can cut (both sockets closed mid-stream, as a dropped network or a restarted load balancer does) and which, while
/// down, accepts and drops every new connection so the client's reconnects fail until it is up again. It records the
/// start of every request it relays, so a test can see what a client sent when it came back (its Last-Event-ID).
/// </summary>
public sealed class CuttableProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<Socket, Socket> _open = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private volatile bool _down;

    public CuttableProxy(Uri target)
    {
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        _listener.Start();
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>The proxy's address: the same server, reached through the cuttable relay.</summary>
    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>The head (request line and headers) of every request relayed so far, oldest first.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Cuts every relayed connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        _down = true;
        foreach (var (client, server) in _open)
        {
            client.Dispose();
            server.Dispose();
        }
        _open.Clear();
    }

    public void Restore() => _down = false;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptSocketAsync(_stop.Token); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            if (_down)
            {
                client.Dispose();
                continue;
            }
            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await server.ConnectAsync(_target, _stop.Token);
            _open[client] = server;
            var head = new StringBuilder();
            var up = Pump(client, server, head);
            var down = Pump(server, client, null);
            await Task.WhenAny(up, down);
        }
        catch (Exception)
        {
            // A cut or the far side going away ends the relay; the client sees its connection drop, which is the point.
        }
        finally
        {
            _open.TryRemove(client, out _);
            client.Dispose();
            server.Dispose();
        }
    }

    private async Task Pump(Socket from, Socket to, StringBuilder? head)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (n == 0) return;
            if (head is not null)
            {
                head.Append(Encoding.ASCII.GetString(buffer, 0, n));
                var end = head.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end >= 0)
                {
                    _requests.Enqueue(head.ToString()[..end]);
                    head = null;
                }
            }
            await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        Cut();
        try { await _accepting; }
        catch (Exception) { }
    }
}
