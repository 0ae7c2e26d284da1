namespace Gantry.Protocol.Stomp;

/// <summary>
/// Header names the specification gives a meaning, so that the codec, the server and the tests do not repeat string
/// literals. Names are case-sensitive on the wire; these are the spellings the specification uses.
/// </summary>
public static class StompHeaderNames
{
    /// <summary>The body's length in bytes; a body with one may contain NULs.</summary>
    public const string ContentLength = "content-length";

    public const string ContentType = "content-type";
    public const string Receipt = "receipt";
    public const string ReceiptId = "receipt-id";

    /// <summary>CONNECT/STOMP: the versions the client speaks, comma-separated; absent means 1.0 only.</summary>
    public const string AcceptVersion = "accept-version";

    /// <summary>CONNECTED: the version agreed; ERROR: the versions the server speaks.</summary>
    public const string Version = "version";

    /// <summary>CONNECT and CONNECTED: <c>"x,y"</c> in milliseconds, see <see cref="StompHeartBeat"/>.</summary>
    public const string HeartBeat = "heart-beat";

    public const string Host = "host";
    public const string Login = "login";
    public const string Passcode = "passcode";
    public const string Server = "server";
    public const string Session = "session";
    public const string Destination = "destination";
    public const string Id = "id";
    public const string Ack = "ack";
    public const string Subscription = "subscription";
    public const string MessageId = "message-id";
    public const string Transaction = "transaction";

    /// <summary>ERROR: a short description, the place for a <see cref="StompProtocolError.Message"/>.</summary>
    public const string Message = "message";
}
