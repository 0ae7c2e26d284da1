using System.Globalization;
using Gantry.Core.Topics;
using Gantry.Protocol.Stomp;

namespace Gantry.Stomp;

/// <summary>
/// How a topic message and a STOMP frame map onto each other. A SEND's body, <c>content-type</c> and headers become
/// the message (the headers STOMP gives a meaning are not message headers); <see cref="MessageIdHeader"/> is the
/// publisher's message id (dedup within the topic's window, as HTTP's <c>id</c>). A MESSAGE carries the subscription,
/// the message id, the destination, the content type, the <c>offset</c> and <c>epoch</c> a client resumes with, then
/// the message's own headers.
/// </summary>
internal static class StompMessages
{
    /// <summary>SEND: the publisher's id for the message. Not <c>message-id</c>, which STOMP reserves for the server's
    /// MESSAGE frames; a separate name keeps a client that copies a MESSAGE's headers into a SEND from deduplicating by
    /// accident.</summary>
    public const string MessageIdHeader = "gantry-message-id";

    /// <summary>MESSAGE and SUBSCRIBE: the message's offset in its topic (SUBSCRIBE: where to start).</summary>
    public const string OffsetHeader = "offset";

    /// <summary>MESSAGE and SUBSCRIBE: the epoch the offsets belong to; a topic created again has a new one.</summary>
    public const string EpochHeader = "epoch";

    // Headers of a SEND that are about the frame or the exchange, not the message.
    private static readonly HashSet<string> FrameHeaders = new(StringComparer.Ordinal)
    {
        StompHeaderNames.Destination, StompHeaderNames.ContentLength, StompHeaderNames.ContentType, StompHeaderNames.Receipt,
        StompHeaderNames.Transaction, MessageIdHeader,
    };

    // Headers a MESSAGE sets itself; a message header of the same name is left out rather than repeated.
    private static readonly HashSet<string> MessageFrameHeaders = new(StringComparer.Ordinal)
    {
        StompHeaderNames.Subscription, StompHeaderNames.MessageId, StompHeaderNames.Destination, StompHeaderNames.ContentType,
        StompHeaderNames.ContentLength, StompHeaderNames.Ack, OffsetHeader, EpochHeader,
    };

    public static MessageDraft Draft(StompFrame send)
    {
        Dictionary<string, string>? headers = null;
        foreach (var header in send.Headers)
        {
            if (FrameHeaders.Contains(header.Name)) continue;
            headers ??= new Dictionary<string, string>(StringComparer.Ordinal);
            headers.TryAdd(header.Name, header.Value); // the first of repeated headers wins
        }
        return new MessageDraft(send.Body, send[MessageIdHeader], send[StompHeaderNames.ContentType], headers);
    }

    /// <summary>The headers of the MESSAGE frame for <paramref name="message"/> on <paramref name="subscription"/>.</summary>
    /// <param name="message">The message.</param>
    /// <param name="subscription">The SUBSCRIBE's id.</param>
    /// <param name="epoch">The topic's epoch, when known.</param>
    /// <param name="escapes">False for a 1.0 session: headers that cannot be written without escapes are left out.</param>
    public static StompHeader[] Headers(TopicMessage message, string subscription, string? epoch, bool escapes)
    {
        var headers = new List<StompHeader>(6 + (message.Headers?.Count ?? 0))
        {
            new(StompHeaderNames.Subscription, subscription),
            new(StompHeaderNames.MessageId, message.Id),
            new(StompHeaderNames.Destination, StompDestination.ForTopic(message.Topic)),
        };
        if (message.ContentType is { } type) headers.Add(new(StompHeaderNames.ContentType, type));
        headers.Add(new(OffsetHeader, message.Offset.ToString(CultureInfo.InvariantCulture)));
        if (epoch is not null) headers.Add(new(EpochHeader, epoch));
        if (message.Headers is { } own)
        {
            foreach (var (name, value) in own)
            {
                if (MessageFrameHeaders.Contains(name)) continue;
                if (!escapes && (name.AsSpan().IndexOfAny('\r', '\n', ':') >= 0 || value.AsSpan().IndexOfAny('\r', '\n') >= 0)) continue;
                headers.Add(new(name, value));
            }
        }
        return [.. headers];
    }
}
