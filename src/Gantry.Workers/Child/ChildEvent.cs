using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gantry.Workers.Child;

/// <summary>
/// One line a child writes on its stdout for the parent: a job started or finished, its memory, that it is recycling,
/// that it is ready. The parent logs jobs from these (the per-job log line) and keeps its status table with them.
/// </summary>
public sealed class ChildEvent
{
    public const string Ready = "ready", Started = "started", Finished = "finished", Memory = "memory", Recycle = "recycle", Exit = "exit";

    /// <summary>One of the constants above.</summary>
    public required string Event { get; init; }
    public long? Id { get; init; }
    public string? Queue { get; init; }
    public int? Attempt { get; init; }
    /// <summary>For <see cref="Finished"/>: succeeded, failed, discarded, cancelled, lease_lost or released.</summary>
    public string? Outcome { get; init; }
    /// <summary>Enqueue (or run_at) to start, for <see cref="Started"/> and <see cref="Finished"/>.</summary>
    public double? DelayMs { get; init; }
    /// <summary>How long the handler ran, for <see cref="Finished"/>.</summary>
    public double? ProcessMs { get; init; }
    public string? Error { get; init; }
    /// <summary>Resident memory of the child, for <see cref="Memory"/> and <see cref="Recycle"/>.</summary>
    public double? MemoryMb { get; init; }
    /// <summary>For <see cref="Recycle"/>: max_jobs or max_memory; for <see cref="Exit"/>: why the child stopped.</summary>
    public string? Reason { get; init; }
    public int? JobsDone { get; init; }

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>Null for a line that is not an event (the parent logs such a line as text).</summary>
    public static ChildEvent? TryParse(string line)
    {
        if (!line.StartsWith('{')) return null;
        try
        {
            return JsonSerializer.Deserialize<ChildEvent>(line, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
