namespace Gantry.Server.Tests.Infrastructure;

/// <summary>Limits small enough that a test can cross each of them with a few bytes.</summary>
public static class SmallLimits
{
    public const int MaxPayloadBytes = 64;
    public const int MaxBatchSize = 3;
    public const int MaxWaitSeconds = 5;
    public const int MaxRequestBodyBytes = 4096;

    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Gantry:Limits:MaxPayloadBytes"] = MaxPayloadBytes.ToString(),
        ["Gantry:Limits:MaxResultBytes"] = MaxPayloadBytes.ToString(),
        ["Gantry:Limits:MaxBatchSize"] = MaxBatchSize.ToString(),
        ["Gantry:Limits:MaxFetchSize"] = "10",
        ["Gantry:Limits:MaxWait"] = TimeSpan.FromSeconds(MaxWaitSeconds).ToString(),
        ["Gantry:Http:MaxRequestBodyBytes"] = MaxRequestBodyBytes.ToString(),
    };
}
