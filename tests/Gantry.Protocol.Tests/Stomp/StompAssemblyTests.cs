using Gantry.Protocol.Stomp;
using Xunit;

namespace Gantry.Protocol.Tests.Stomp;

/// <summary>
/// DESIGN.md: codecs are BCL only. The project file is checked in Gantry.Core.Tests/ArchitectureTests; this checks
/// the compiled assembly, which only a project referencing it can load.
/// </summary>
public sealed class StompAssemblyTests
{
    [Fact]
    public void StompCodec_ReferencesOnlyTheBcl()
    {
        var names = typeof(StompReader).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();

        Assert.NotEmpty(names);
        Assert.All(names, n => Assert.True(
            n is "netstandard" or "mscorlib" or "System" || n.StartsWith("System.", StringComparison.Ordinal),
            $"Gantry.Protocol.Stomp references {n}"));
    }

    [Fact]
    public void CommandNames_RoundTrip()
    {
        foreach (var command in Enum.GetValues<StompCommand>())
        {
            Assert.True(StompCommands.TryParse(StompCommands.NameBytes(command), out var back));
            Assert.Equal(command, back);
            Assert.True(StompCommands.Name(command).Length <= StompCommands.LongestNameBytes);
        }
        Assert.Equal(15, Enum.GetValues<StompCommand>().Length);
    }
}
