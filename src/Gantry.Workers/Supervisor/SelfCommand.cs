using System.Diagnostics;
using System.Reflection;

namespace Gantry.Workers.Supervisor;

/// <summary>
/// How the parent starts a child: the same executable it runs as, with the hidden child verb. When that executable is
/// the <c>dotnet</c> host (<c>dotnet gantry.dll workers …</c>, or a .NET tool), the entry assembly goes first.
/// </summary>
public static class SelfCommand
{
    /// <summary>The verb that turns <c>gantry</c> into a pool's child.</summary>
    public static readonly string[] ChildVerb = ["workers", "child"];

    public static ProcessStartInfo ChildStartInfo()
    {
        var executable = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell which executable this process runs.");
        var info = new ProcessStartInfo(executable);
        if (Path.GetFileNameWithoutExtension(executable).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            var entry = Assembly.GetEntryAssembly()?.Location;
            if (string.IsNullOrEmpty(entry)) throw new InvalidOperationException("Running under the dotnet host without an entry assembly path.");
            info.ArgumentList.Add(entry);
        }
        foreach (var part in ChildVerb) info.ArgumentList.Add(part);
        return info;
    }
}
