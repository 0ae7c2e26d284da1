namespace Gantry.Protocol.Stomp;

/// <summary>
/// The frame commands STOMP 1.2 defines; nothing else is a frame. Client frames first, then server frames, in the
/// specification's order. The wire spelling of each is in <see cref="StompCommands"/>.
/// </summary>
public enum StompCommand
{
    /// <summary>Opens a session (the 1.0 spelling; header escaping does not apply to it).</summary>
    Connect,

    /// <summary>Opens a session (the 1.2 spelling, same meaning as CONNECT; a server must accept both).</summary>
    Stomp,

    /// <summary>The server's answer to CONNECT or STOMP (header escaping does not apply to it).</summary>
    Connected,

    Send,
    Subscribe,
    Unsubscribe,
    Ack,
    Nack,
    Begin,
    Commit,
    Abort,
    Disconnect,
    Message,
    Receipt,
    Error,
}
