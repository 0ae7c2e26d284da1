using System.Text.Json.Serialization;

namespace Gantry.Workers.Config;

/// <summary>What a pool's children run for each job.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<HandlerKind>))]
public enum HandlerKind
{
    /// <summary>An external program: payload on stdin, result on stdout, exit code 0 for success (<c>gearman -w</c>'s model).</summary>
    Command,
    /// <summary>A .NET type implementing <c>Gantry.Client.Workers.IJobHandler</c>, loaded from an assembly.</summary>
    Handler,
    /// <summary>An HTTP endpoint: the payload is POSTed, a 2xx answer is success with the body as the result.</summary>
    Url,
}

/// <summary>
/// One pool of the workers file: which queues its children work, with what, and how many children for how long.
/// Paths in it are absolute (the loader resolves them against the file's folder). It is also what the parent hands a
/// child, as JSON, and its JSON tells whether a reload changed the pool.
/// </summary>
public sealed class PoolConfig
{
    /// <summary>Defaults to 1 child process per pool.</summary>
    public const int DefaultProcesses = 1;
    /// <summary>Defaults to 1 job at a time per queue in each child: a prefork worker's usual shape (scale with processes).</summary>
    public const int DefaultConcurrency = 1;
    /// <summary>Defaults to 1000 jobs per child before it is replaced, so slow leaks in handlers stay contained; 0 for no limit.</summary>
    public const int DefaultMaxJobsPerChild = 1000;
    /// <summary>Defaults to 0: no memory limit. A child over its limit finishes its jobs and is replaced.</summary>
    public const int DefaultMaxMemoryMb = 0;
    /// <summary>Defaults to 5 minutes per job, after which an external command's process tree is killed and the job fails;
    /// 0 for no limit. Long enough for real work, short enough that a hung script does not hold a child forever.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);
    /// <summary>Upper bounds that catch typos (50000 processes) before they take the machine down.</summary>
    public const int MaxProcesses = 256, MaxConcurrency = 1024;

    public required string Name { get; init; }
    /// <summary>Gantry queues the children work through the HTTP API (empty for a Gearman pool).</summary>
    public required IReadOnlyList<string> Queues { get; init; }
    /// <summary>Gearman functions the children work over the Gearman protocol (empty for a queue pool).</summary>
    public IReadOnlyList<string> Functions { get; init; } = [];
    public required HandlerKind Kind { get; init; }
    /// <summary>For <see cref="HandlerKind.Command"/>: the program (absolute when it was a relative path) and its arguments.</summary>
    public IReadOnlyList<string>? Command { get; init; }
    /// <summary>For <see cref="HandlerKind.Handler"/>: the type, assembly-qualified (<c>MyApp.Thumbnails, MyApp</c>).</summary>
    public string? Handler { get; init; }
    /// <summary>For <see cref="HandlerKind.Handler"/>: the assembly file (absolute), or null to load by name.</summary>
    public string? Assembly { get; init; }
    /// <summary>For <see cref="HandlerKind.Url"/>: where payloads are POSTed.</summary>
    public Uri? Url { get; init; }
    public int Processes { get; init; } = DefaultProcesses;
    public int Concurrency { get; init; } = DefaultConcurrency;
    public int MaxJobsPerChild { get; init; } = DefaultMaxJobsPerChild;
    public int MaxMemoryMb { get; init; } = DefaultMaxMemoryMb;
    public TimeSpan Timeout { get; init; } = DefaultTimeout;
    /// <summary>Variables added to the children's environment (and so to their commands').</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    /// <summary>The children's working directory (absolute); the workers file's folder unless set.</summary>
    public required string WorkingDirectory { get; init; }

    /// <summary>What the handler is, for logs and the status table.</summary>
    public string Describe() => Kind switch
    {
        HandlerKind.Command => "command " + string.Join(' ', Command ?? []),
        HandlerKind.Handler => "handler " + Handler,
        _ => "url " + Url,
    };
}
