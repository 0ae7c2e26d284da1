namespace Gantry.Gearman.Tests.Infrastructure;

/// <summary>Function names no other test uses (letters, digits and underscore, so they also work as configuration
/// keys and Gantry queue names): tests that share a server never see each other's jobs.</summary>
public static class Names
{
    public static string Function(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}
