namespace Gantry.Core.Queues;

/// <summary>What an operator set on a queue, kept in the store so every server sharing it agrees.</summary>
/// <param name="Name">The queue.</param>
/// <param name="Paused">Paused queues keep their jobs but hand none to workers.</param>
/// <param name="Lane">Where its jobs live when set (<see cref="QueueLanes.Durable"/> or <see cref="QueueLanes.Memory"/>);
/// null when nobody chose, and the queue is in whichever lane holds it.</param>
public sealed record QueueSetting(string Name, bool Paused, string? Lane);
