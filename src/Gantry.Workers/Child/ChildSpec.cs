using System.Text.Json;
using System.Text.Json.Serialization;
using Gantry.Workers.Config;

namespace Gantry.Workers.Child;

/// <summary>
/// Everything a child needs, sent by the parent as the first line on the child's stdin (JSON): the pool as the parent
/// loaded it (so a file edited since cannot give a child a different pool than the parent thinks it runs), and the
/// resolved server and token (on stdin rather than the command line, where any user could read the token).
/// </summary>
public sealed class ChildSpec
{
    /// <summary>Defaults to checking the child's memory once a second: cheap, and soon enough to stop a leak.</summary>
    public static readonly TimeSpan DefaultMemoryCheckInterval = TimeSpan.FromSeconds(1);

    public required PoolConfig Pool { get; init; }
    public required Uri Server { get; init; }
    public string? Token { get; init; }
    /// <summary>The Gearman port for a pool of functions.</summary>
    public string Gearman { get; init; } = Child.Gearman.GearmanEndpoint.Default;
    public required TimeSpan ShutdownGrace { get; init; }
    public TimeSpan MemoryCheckInterval { get; init; } = DefaultMemoryCheckInterval;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public Child.Gearman.GearmanEndpoint GearmanEndpoint() =>
        Child.Gearman.GearmanEndpoint.TryParse(Gearman, out var endpoint) ? endpoint
            : throw new InvalidOperationException($"'{Gearman}' is not a Gearman HOST:PORT.");

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ChildSpec FromJson(string json) =>
        JsonSerializer.Deserialize<ChildSpec>(json, Json) ?? throw new InvalidOperationException("The child spec is empty.");
}
