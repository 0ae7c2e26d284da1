using Gantry.Workers.Config;

namespace Gantry.Workers.Tests;

/// <summary>The worker manager is a client of the server: it reaches it through the SDK, or as a Gearman worker through
/// Gantry.Gearman.Client, never the engine, a store, the Gearman front or the HTTP host. Its project file is held to its
/// row in ARCHITECTURE.md by Gantry.Core.Tests; this checks the compiled assembly (what the build did).</summary>
public sealed class ArchitectureTests
{
    private static readonly string[] Forbidden =
        ["Gantry.Core", "Gantry.Hosting", "Gantry.Http", "Gantry.Gearman", "Gantry.Storage.Sqlite", "Gantry.Storage.Postgres", "gantry"];

    [Fact]
    public void The_workers_assembly_loads_no_server_assembly()
    {
        var referenced = typeof(ConfigLoader).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.DoesNotContain(referenced, name => Forbidden.Contains(name));
        Assert.Contains("Gantry.Gearman.Client", referenced);
    }
}
