namespace Gantry.Server.Tests.Infrastructure;

/// <summary>Names that no other test uses, so tests sharing a server never see each other's jobs.</summary>
public static class Names
{
    public static string Queue(string prefix = "q") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 128)];
}
