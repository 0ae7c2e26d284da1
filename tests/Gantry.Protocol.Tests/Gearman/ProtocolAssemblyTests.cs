using Gantry.Protocol.Gearman;
using Xunit;

namespace Gantry.Protocol.Tests.Gearman;

/// <summary>
/// DESIGN.md: codecs are BCL only. The project file is checked in Gantry.Core.Tests/ArchitectureTests; this checks
/// the compiled assembly, which only a project referencing it can load.
/// </summary>
public sealed class ProtocolAssemblyTests
{
    [Fact]
    public void GearmanCodec_ReferencesOnlyTheBcl()
    {
        var names = typeof(GearmanReader).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();

        Assert.NotEmpty(names);
        Assert.All(names, n => Assert.True(
            n is "netstandard" or "mscorlib" or "System" || n.StartsWith("System.", StringComparison.Ordinal),
            $"Gantry.Protocol.Gearman references {n}"));
    }
}
