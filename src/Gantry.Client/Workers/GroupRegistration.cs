namespace Gantry.Client.Workers;

/// <summary>One consumer group the host is a member of, and how.</summary>
public sealed class GroupRegistration
{
    /// <summary>Defaults to 1 message at a time per group; raise it for I/O-bound handlers (messages are then handled
    /// out of order within the group, as with several members).</summary>
    public const int DefaultConcurrency = 1;

    internal GroupRegistration(string topic, string group, Type handlerType) => (Topic, Group, HandlerType) = (topic, group, handlerType);

    public string Topic { get; }
    public string Group { get; }
    public Type HandlerType { get; }
    public int Concurrency { get; set; } = DefaultConcurrency;
    /// <summary>Where a group that does not exist yet starts: <c>last</c> (the default: messages published from now on),
    /// <c>first</c>, an offset or a time. An existing group keeps its cursor.</summary>
    public string? From { get; set; }
}
