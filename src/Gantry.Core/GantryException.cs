namespace Gantry.Core;

/// <summary>What kind of mistake a caller made; each front maps it to its own error form
/// (HTTP status with problem+json, Gearman ERROR packet, STOMP ERROR frame).</summary>
public enum GantryErrorKind
{
    /// <summary>The request is malformed or breaks a rule; the message says which.</summary>
    Invalid,
    /// <summary>An input is larger than its configured limit.</summary>
    TooLarge,
    /// <summary>The job or queue does not exist.</summary>
    NotFound,
    /// <summary>The request is valid but the job's state does not allow it (a lost lease, a finished job).</summary>
    Conflict,
    /// <summary>The server cannot take the request now but may shortly (the store is unreachable, the memory lane is
    /// full): try again later.</summary>
    Unavailable,
}

/// <summary>A caller's mistake, with a message that tells them what to fix. Never used for server faults.</summary>
public sealed class GantryException(GantryErrorKind kind, string message, string? field = null) : Exception(message)
{
    public GantryErrorKind Kind { get; } = kind;

    /// <summary>The request field at fault (for example <c>jobs[3].queue</c>), when there is one.</summary>
    public string? Field { get; } = field;

    public static GantryException Invalid(string field, string message) => new(GantryErrorKind.Invalid, $"{field}: {message}", field);
    public static GantryException TooLarge(string field, string message) => new(GantryErrorKind.TooLarge, $"{field}: {message}", field);
    public static GantryException Unavailable(string message) => new(GantryErrorKind.Unavailable, message);
}
