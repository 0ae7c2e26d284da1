using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gantry.Workers.Status;

/// <summary>What the worker manager is doing, as it writes it to its status file for <c>gantry workers status</c>.</summary>
public sealed class StatusSnapshot
{
    public int Pid { get; set; }
    public string Config { get; set; } = "";
    public string Server { get; set; } = "";
    /// <summary>running or stopping.</summary>
    public string State { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public List<PoolStatus> Pools { get; set; } = [];

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

public sealed class PoolStatus
{
    public string Name { get; set; } = "";
    public List<string> Queues { get; set; } = [];
    /// <summary>The command, handler type or URL.</summary>
    public string Handler { get; set; } = "";
    /// <summary>running, or draining for a pool that a reload removed or replaced and whose children are finishing.</summary>
    public string State { get; set; } = "";
    public int Processes { get; set; }
    public int Concurrency { get; set; }
    public int MaxJobsPerChild { get; set; }
    public List<ChildStatus> Children { get; set; } = [];
}

public sealed class ChildStatus
{
    /// <summary>Which of the pool's <c>processes</c> this is (0-based); a replacement takes its predecessor's slot.</summary>
    public int Slot { get; set; }
    public int? Pid { get; set; }
    /// <summary>starting, ready, draining (recycling or stopping), or waiting (to restart after a crash).</summary>
    public string State { get; set; } = "";
    public DateTimeOffset? StartedAt { get; set; }
    /// <summary>Jobs this child process has finished.</summary>
    public int JobsDone { get; set; }
    public double? MemoryMb { get; set; }
    public List<CurrentJob> CurrentJobs { get; set; } = [];
    /// <summary>Children of this slot that crashed and were restarted.</summary>
    public int Restarts { get; set; }
    /// <summary>Children of this slot replaced after their job or memory limit.</summary>
    public int Recycles { get; set; }
    public string? LastExit { get; set; }
}

public sealed class CurrentJob
{
    public long Id { get; set; }
    public string Queue { get; set; } = "";
    public int Attempt { get; set; }
    public DateTimeOffset StartedAt { get; set; }
}
