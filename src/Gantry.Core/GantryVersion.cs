namespace Gantry.Core;

/// <summary>The version this build reports (every Gantry assembly carries the same one).</summary>
public static class GantryVersion
{
    public static string Current { get; } =
        typeof(GantryVersion).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
