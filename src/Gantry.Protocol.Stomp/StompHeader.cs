namespace Gantry.Protocol.Stomp;

/// <summary>
/// One header as it was sent: name and value decoded (escapes undone, UTF-8 read) but never trimmed, because the
/// specification makes spaces significant (<c>"destination: /a"</c> names <c>" /a"</c>).
/// </summary>
public readonly record struct StompHeader(string Name, string Value)
{
    /// <summary>For logs and test failures, as it would look on the wire before escaping.</summary>
    public override string ToString() => $"{Name}:{Value}";
}
