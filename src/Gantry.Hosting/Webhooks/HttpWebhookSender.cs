using System.Net.Http.Headers;
using System.Net.Sockets;
using Gantry.Core;
using Gantry.Core.Options;
using Gantry.Core.Webhooks;
using Microsoft.Extensions.Options;

namespace Gantry.Hosting.Webhooks;

/// <summary>
/// POSTs deliveries with the named client <see cref="ClientName"/>, whose handler connects only to the addresses
/// <see cref="WebhookAddressGuard"/> admits at the moment of connecting (DNS may have changed since the webhook was
/// saved), follows no redirects (a 3xx could point anywhere; it counts as a failed attempt) and uses no proxy (the
/// address checked must be the address reached).
/// </summary>
internal sealed class HttpWebhookSender(IHttpClientFactory clients, IOptions<GantryEngineOptions> options, TimeProvider time) : IWebhookSender
{
    public const string ClientName = "gantry.webhooks";

    private readonly int _maxBodyBytes = options.Value.Webhooks.MaxErrorBodyBytes;

    /// <summary>The handler behind <see cref="ClientName"/>.</summary>
    public static SocketsHttpHandler CreateHandler(WebhookAddressGuard guard) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        ConnectCallback = async (context, ct) =>
        {
            var endpoint = context.DnsEndPoint;
            var addresses = await guard.ResolveAsync(endpoint.Host, endpoint.Port, ct).ConfigureAwait(false);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, endpoint.Port, ct).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    public async Task<WebhookResponse> PostAsync(Uri url, IReadOnlyList<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body,
        string contentType, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ReadOnlyMemoryContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.TryParse(contentType, out var type) ? type
            : new MediaTypeHeaderValue(WebhookDelivery.BinaryContentType);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Gantry", GantryVersion.Current));
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        var client = clients.CreateClient(ClientName);
        client.Timeout = Timeout.InfiniteTimeSpan; // the deadline above, on the server's clock, bounds each attempt
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            string? text = null;
            if (code is < 200 or >= 300 && _maxBodyBytes > 0) text = await ReadStartAsync(response, linked.Token).ConfigureAwait(false);
            return new WebhookResponse(code, text, null);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return new WebhookResponse(null, null, $"no answer within {timeout.TotalSeconds:0.###} seconds (Gantry:Webhooks:Timeout)");
        }
        catch (HttpRequestException e)
        {
            return new WebhookResponse(null, null, Innermost(e));
        }
        catch (WebhookAddressRefusedException e)
        {
            return new WebhookResponse(null, null, "refused: " + e.Message);
        }
    }

    private async Task<string> ReadStartAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var buffer = new byte[_maxBodyBytes];
        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), ct).ConfigureAwait(false);
            if (n == 0) break;
            read += n;
        }
        return System.Text.Encoding.UTF8.GetString(buffer, 0, read);
    }

    /// <summary>The reason a connection failed, in the words of whoever refused it (the address rules, the network).</summary>
    private static string Innermost(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
            if (inner is WebhookAddressRefusedException refused) return "refused: " + refused.Message;
        var last = e;
        while (last.InnerException is not null) last = last.InnerException;
        return last == e ? e.Message : $"{e.Message} ({last.Message})";
    }
}
