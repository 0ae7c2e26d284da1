using System.Collections.Concurrent;
using System.Net;
using Gantry.Testing;

namespace Gantry.Server.Tests.Webhooks;

/// <summary>A webhook receiver on a real loopback socket: records every POST (headers and raw body) and answers each with
/// the next status code from its script (200 once the script is used up). <see cref="BeforeAnswer"/> may hold an answer
/// back (a test that kills the server while a POST is in flight); requests are handled one at a time.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<int> _script;
    private readonly Task _loop;

    public WebhookReceiver(params int[] script)
    {
        _script = new ConcurrentQueue<int>(script);
        Port = FreePort.Next();
        Url = $"http://127.0.0.1:{Port}/hooks/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }
    public string Url { get; }
    public ConcurrentQueue<ReceivedPost> Posts { get; } = new();

    /// <summary>Awaited after a POST is recorded and before it is answered.</summary>
    public Func<ReceivedPost, Task>? BeforeAnswer { get; init; }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null)
                .ToDictionary(k => k!.ToLowerInvariant(), k => context.Request.Headers[k]!);
            var post = new ReceivedPost(context.Request.HttpMethod, headers, body.ToArray(), context.Request.ContentType);
            Posts.Enqueue(post);
            if (BeforeAnswer is { } hold) await hold(post);
            try
            {
                context.Response.StatusCode = _script.TryDequeue(out var code) ? code : 200;
                context.Response.Close();
            }
            catch (HttpListenerException)
            {
                // The sender is gone (a server killed while its POST was held): nobody hears this answer.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try { await _loop; } catch (ObjectDisposedException) { }
    }
}

public sealed record ReceivedPost(string Method, IReadOnlyDictionary<string, string> Headers, byte[] Body, string? ContentType)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);
    public long Offset => long.Parse(Headers["gantry-offset"], System.Globalization.CultureInfo.InvariantCulture);
}
