using System.Text;
using System.Text.Json;
using Gantry.Contracts;
using Gantry.Core;
using Gantry.Core.Topics;
using Gantry.Http.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;

namespace Gantry.Http;

/// <summary>
/// Server-Sent Events for a topic (or a pattern): each message is an event whose <c>id:</c> is its offset, so a
/// browser's <c>EventSource</c> resumes by itself with <c>Last-Event-ID</c>. Notices the client must act on are events
/// of their own type: <c>truncated</c> (retention pruned what it asked for), <c>epoch</c> (the topic's history was
/// lost), <c>overflow</c> (it fell behind: reconnect to catch up from <c>resume_after</c>), <c>stopping</c>.
/// </summary>
internal static class TopicEventEndpoints
{
    private static readonly GantryJsonContext Json = GantryJsonContext.Default;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/topics/{topic}/events", Stream).WithTags("Topics").WithOperationId("StreamEvents")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .WithQuery("from", JsonSchemaType.String, "first, last (the default: only new messages), an offset (the first to send) or an ISO 8601 time.")
            .WithQuery("epoch", JsonSchemaType.String, "The epoch the client's offsets belong to; a different one is announced with an 'epoch' event.")
            .WithQuery("client", JsonSchemaType.String, "A name for this subscriber, shown in presence.")
            .WithQuery("slow", JsonSchemaType.String, "When this client falls behind: disconnect (the default: it is cut off with " +
                       "its resume offset and catches up from history) or drop_oldest (for live-only feeds: the oldest " +
                       "waiting messages are skipped; event ids show the gap).")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Server-Sent Events: every message of the topic (or of a pattern such as orders.* or orders.#) as it is " +
                         "published. 'id:' is the offset; Last-Event-ID (or 'from') resumes exactly where the client left off.");
    }

    private static async Task Stream(string topic, HttpContext context, TopicEngine engine, TopicHub hub, TimeProvider time)
    {
        var request = context.Request;
        var pattern = TopicPattern.Parse(topic);
        var client = request.Query["client"].FirstOrDefault();
        if (client is { Length: > 200 }) throw GantryException.Invalid("client", "client names are at most 200 characters.");
        var info = new SubscriberInfo("sse", client, time.GetUtcNow(), pattern.Text);
        var slow = request.Query["slow"].FirstOrDefault() switch
        {
            null or "" or "disconnect" => SlowConsumerPolicy.Disconnect,
            "drop_oldest" => SlowConsumerPolicy.DropOldest,
            var other => throw GantryException.Invalid("slow", $"'{RequestReading.Shorten(other)}' is not a policy: use disconnect (the default) or drop_oldest."),
        };
        // A client cut off for falling behind gets SlowClientGrace to take its last events and the notice; one whose
        // connection is stuck (it stopped reading, the socket is full) is dropped then, instead of holding the
        // connection, its presence and its buffer until the transport gives up on it.
        using var finished = new CancellationTokenSource();
        var grace = engine.Options.SlowClientGrace;
        void CutOff() => _ = DropAfterGraceAsync(context, grace, time, finished.Token);
        Func<CancellationToken, IAsyncEnumerable<LiveItem>> open;
        if (pattern.IsExact)
        {
            long after;
            if (request.Headers["Last-Event-ID"].FirstOrDefault() is { Length: > 0 } last)
                after = long.TryParse(last, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
                    ? id : throw GantryException.Invalid("Last-Event-ID", $"'{RequestReading.Shorten(last)}' is not an offset.");
            else
                after = await engine.ResolveStartAsync(topic,
                    request.Query["from"].FirstOrDefault() is { Length: > 0 } from ? StartPosition.Parse(from, "from") : StartPosition.Last,
                    context.RequestAborted);
            var epoch = request.Query["epoch"].FirstOrDefault();
            open = ct => hub.StreamAsync(topic, after, info, epoch, slow, CutOff, ct);
        }
        else
        {
            if (request.Query["from"].FirstOrDefault() is { Length: > 0 } from && !from.Equals("last", StringComparison.OrdinalIgnoreCase))
                throw GantryException.Invalid("from", "a pattern subscription receives new messages only (from=last); read a single topic to start earlier.");
            open = ct => hub.StreamPatternAsync(pattern, info, slow, CutOff, ct);
        }

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // proxies that buffer (nginx) would hold events back
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var options = engine.Options;
        await response.WriteAsync($"retry: {(long)options.SseRetry.TotalMilliseconds}\n\n", context.RequestAborted);
        await response.Body.FlushAsync(context.RequestAborted);

        await using var reader = new LiveReader(open, context.RequestAborted);
        // One timer at a time, not one per message: a comment goes out every KeepAlive whether or not messages flow.
        Task? keepAlive = null;
        try
        {
            while (true)
            {
                var next = reader.Next();
                keepAlive ??= Task.Delay(options.KeepAlive, time, context.RequestAborted);
                if (!next.IsCompleted && await Task.WhenAny(next, keepAlive) != next)
                {
                    keepAlive = null;
                    await response.WriteAsync(": keep-alive\n\n", context.RequestAborted);
                    await response.Body.FlushAsync(context.RequestAborted);
                    continue;
                }
                if (!await next) break;
                var item = reader.Take();
                if (item.Message is { } m) await response.Body.WriteAsync(Frame(m, withTopic: !pattern.IsExact), context.RequestAborted);
                else await response.WriteAsync(Notice(item), context.RequestAborted);
                // Flush when nothing more is waiting: a burst goes out in few writes, a lone message at once.
                if (!reader.Next().IsCompleted) await response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            await finished.CancelAsync();
        }
    }

    private static async Task DropAfterGraceAsync(HttpContext context, TimeSpan grace, TimeProvider time, CancellationToken finished)
    {
        try
        {
            await Task.Delay(grace, time, finished).ConfigureAwait(false);
            context.Abort();
        }
        catch (OperationCanceledException)
        {
            // The stream ended within the grace: the client took its notice.
        }
    }

    /// <summary>A message's SSE frame, encoded once per message and shared by every subscriber on this server.</summary>
    private static ReadOnlyMemory<byte> Frame(TopicMessage m, bool withTopic)
    {
        if (!withTopic && m.Encoded is byte[] cached) return cached;
        var data = JsonSerializer.SerializeToUtf8Bytes(TopicEndpoints.ToWire(m, withTopic), Json.MessageView);
        var head = Encoding.UTF8.GetBytes($"id: {m.Offset}\nevent: message\ndata: ");
        var frame = new byte[head.Length + data.Length + 2];
        head.CopyTo(frame, 0);
        data.CopyTo(frame, head.Length);
        frame[^2] = frame[^1] = (byte)'\n';
        if (!withTopic) Interlocked.CompareExchange(ref m.Encoded, frame, null);
        return frame;
    }

    private static string Notice(LiveItem item) => item.Notice switch
    {
        LiveNotice.Truncated => $"event: truncated\ndata: {{\"from\":{item.From},\"to\":{item.To},\"reason\":\"these offsets were pruned (retention) before they could be read\"}}\n\n",
        LiveNotice.EpochChanged => $"event: epoch\ndata: {{\"epoch\":\"{item.Epoch}\",\"reason\":\"the topic's history was lost (it was deleted and created again): offsets start over\"}}\n\n",
        LiveNotice.Overflow => $"event: overflow\ndata: {{\"resume_after\":{item.From},\"reason\":\"this client fell too far behind; reconnect (Last-Event-ID resumes) to catch up from history\"}}\n\n",
        LiveNotice.Stopping => $"event: stopping\ndata: {{\"resume_after\":{item.From},\"reason\":\"the server is stopping; reconnect to resume\"}}\n\n",
        _ => "",
    };
}
