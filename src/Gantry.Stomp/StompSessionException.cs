namespace Gantry.Stomp;

/// <summary>
/// A client's mistake that ends its session: the handler sends an ERROR frame whose <c>message</c> is
/// <see cref="Exception.Message"/> (one line), adds <paramref name="headers"/> (the <c>version</c> list of a failed
/// negotiation, say), and closes, as the specification has a server do after ERROR.
/// </summary>
internal sealed class StompSessionException(string message, params Protocol.Stomp.StompHeader[] headers) : Exception(message)
{
    public Protocol.Stomp.StompHeader[] Headers { get; } = headers;
}
