using System.Text;
using System.Text.Json;
using Gantry.Contracts;

namespace Gantry.Client.Workers;

/// <summary>The consumer-group message a handler is working on.</summary>
public sealed class MessageContext
{
    public MessageContext(string topic, string group, GroupMessageView message, JsonSerializerOptions? payloadOptions = null)
    {
        (Topic, Group, Message) = (topic, group, message);
        PayloadOptions = payloadOptions ?? PayloadJson.Default;
        Payload = Payloads.FromWire(message.Payload, message.PayloadBase64, "payload");
    }

    public string Topic { get; }
    public string Group { get; }
    /// <summary>Everything the server said about the delivery.</summary>
    public GroupMessageView Message { get; }
    public long Offset => Message.Offset;
    public string Id => Message.Id;
    /// <summary>1 on the first delivery; more when earlier deliveries were nacked or timed out.</summary>
    public int Attempt => Message.Attempt;
    public IReadOnlyDictionary<string, string>? Headers => Message.Headers;
    public ReadOnlyMemory<byte> Payload { get; }
    public string PayloadText => Encoding.UTF8.GetString(Payload.Span);
    public JsonSerializerOptions PayloadOptions { get; }

    public T? GetPayload<T>() => Payload.IsEmpty ? default : JsonSerializer.Deserialize<T>(Payload.Span, PayloadOptions);
}
