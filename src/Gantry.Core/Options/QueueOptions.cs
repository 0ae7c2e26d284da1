namespace Gantry.Core.Options;

/// <summary>One queue's settings in the configuration: <c>Gantry:Queues:NAME</c>. Written to the store at every start,
/// so the configuration file wins over a change made at run time with <c>PUT /api/queues/NAME</c>.</summary>
public sealed class QueueOptions
{
    /// <summary><c>memory</c> or <c>durable</c>; unset leaves the queue as the store has it (durable unless set).</summary>
    public string? Lane { get; set; }
}
