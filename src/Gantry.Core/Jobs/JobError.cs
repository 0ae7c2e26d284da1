namespace Gantry.Core.Jobs;

/// <summary>One entry of a job's error history: what went wrong in which attempt.</summary>
/// <param name="Attempt">The attempt that failed.</param>
/// <param name="At">When the failure was recorded.</param>
/// <param name="Message">What the worker (or the server, for lost leases) said.</param>
/// <param name="Details">Optional longer text, such as a stack trace.</param>
public sealed record JobError(int Attempt, DateTimeOffset At, string Message, string? Details = null);
