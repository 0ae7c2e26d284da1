namespace Gantry.Protocol.Stomp;

/// <summary>What <see cref="StompReader.TryRead"/> found at the start of the buffer.</summary>
public enum StompReadStatus
{
    /// <summary>Not a whole frame yet and nothing wrong so far: the buffer is unchanged; read more bytes and try again.</summary>
    Incomplete,

    /// <summary>A frame; the buffer now starts after its NUL.</summary>
    Frame,

    /// <summary>
    /// One end of line (LF or CRLF) between frames: a heart-beat, or the optional EOLs a peer may send after a NUL.
    /// The buffer now starts after it. Either way it is proof the peer is alive, which is all a heart-beat means.
    /// </summary>
    HeartBeat,

    /// <summary>The bytes cannot be a valid frame: answer with an ERROR frame and close. The buffer is unchanged.</summary>
    Error,
}
