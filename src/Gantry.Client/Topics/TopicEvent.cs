using System.Text;
using System.Text.Json;
using Gantry.Contracts;

namespace Gantry.Client.Topics;

/// <summary>One message of a topic as a subscriber receives it.</summary>
public sealed class TopicEvent
{
    private readonly JsonSerializerOptions _payloadOptions;

    internal TopicEvent(string topic, MessageView view, JsonSerializerOptions payloadOptions)
    {
        Topic = view.Topic ?? topic;
        Offset = view.Offset;
        Id = view.Id;
        ContentType = view.ContentType;
        Headers = view.Headers ?? (IReadOnlyDictionary<string, string>)EmptyHeaders;
        PublishedAt = view.PublishedAt;
        Payload = Payloads.FromWire(view.Payload, view.PayloadBase64, "payload");
        _payloadOptions = payloadOptions;
    }

    private static readonly Dictionary<string, string> EmptyHeaders = new();

    public string Topic { get; }
    /// <summary>The message's place in its topic: starts at 1, only increases.</summary>
    public long Offset { get; }
    public string Id { get; }
    public string? ContentType { get; }
    public IReadOnlyDictionary<string, string> Headers { get; }
    public DateTimeOffset PublishedAt { get; }
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>The payload as UTF-8 text.</summary>
    public string PayloadText => Encoding.UTF8.GetString(Payload.Span);

    /// <summary>The payload deserialized from JSON with the client's payload options.</summary>
    public T? GetPayload<T>() => Payload.IsEmpty ? default : JsonSerializer.Deserialize<T>(Payload.Span, _payloadOptions);
}
