namespace Gantry.Protocol.Gearman;

/// <summary>What <see cref="GearmanReader.TryRead"/> found at the start of the buffer.</summary>
public enum GearmanReadStatus
{
    /// <summary>Not a whole frame yet and nothing wrong so far: the buffer is unchanged; read more bytes and try again.</summary>
    Incomplete,

    /// <summary>A binary packet; the buffer now starts after it.</summary>
    Packet,

    /// <summary>An admin text line (line ending removed); the buffer now starts after it.</summary>
    AdminLine,

    /// <summary>The bytes cannot be a valid frame: answer with an ERROR packet and close. The buffer is unchanged.</summary>
    Error,
}
