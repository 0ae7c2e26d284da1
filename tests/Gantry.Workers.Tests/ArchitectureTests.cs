using System.Xml.Linq;
using Gantry.Workers.Config;

namespace Gantry.Workers.Tests;

/// <summary>The worker manager is a client of the server: it reaches it through the SDK, or as a Gearman worker through
/// the pure codec, never the engine, a store, the Gearman front or the HTTP host. Read from the project file (what the
/// build will do) and the compiled assembly (what it did).</summary>
public sealed class ArchitectureTests
{
    private static readonly string[] Forbidden = ["Gantry.Core", "Gantry.Hosting", "Gantry.Gearman", "Gantry.Storage.Sqlite", "Gantry.Storage.Postgres", "gantry"];

    [Fact]
    public void The_workers_project_references_only_the_sdk_and_the_gearman_codec()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Gantry.slnx"))) root = root.Parent;
        Assert.NotNull(root);
        var project = XDocument.Load(Path.Combine(root.FullName, "src", "Gantry.Workers", "Gantry.Workers.csproj"));

        var references = project.Descendants().Where(e => e.Name.LocalName == "ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(((string?)e.Attribute("Include") ?? "").Replace('\\', '/'))).ToList();

        Assert.Equal(["Gantry.Client", "Gantry.Protocol.Gearman"], references.Order());
    }

    [Fact]
    public void The_workers_assembly_loads_no_server_assembly()
    {
        var referenced = typeof(ConfigLoader).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.DoesNotContain(referenced, name => Forbidden.Contains(name));
    }
}
