using System.Xml.Linq;
using Gantry.Contracts;
using Gantry.Core.Engine;
using Xunit;

namespace Gantry.Core.Tests;

/// <summary>
/// DESIGN.md: the core and the wire contracts reference no adapter. Read from the project files (what the build will
/// do) and from the compiled assemblies (what it did), so neither a new reference nor a transitive one slips in.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly string RepoRoot = FindRepoRoot();

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gantry.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds Gantry.slnx.");
    }

    private static XDocument Project(string relativePath)
    {
        var path = Path.Combine(RepoRoot, relativePath);
        Assert.True(File.Exists(path), $"{path} is missing: the architecture test must be told where the project went.");
        return XDocument.Load(path);
    }

    private static List<string> Items(XDocument project, string itemType) =>
        project.Descendants().Where(e => e.Name.LocalName == itemType)
            .Select(e => (string?)e.Attribute("Include") ?? (string?)e.Attribute("Update") ?? "")
            .ToList();

    [Fact]
    public void RepoRoot_IsFoundAboveTheTestOutput() =>
        Assert.True(File.Exists(Path.Combine(RepoRoot, "src", "Gantry.Core", "Gantry.Core.csproj")));

    [Fact]
    public void CoreProject_ReferencesNoOtherProject() =>
        Assert.Empty(Items(Project("src/Gantry.Core/Gantry.Core.csproj"), "ProjectReference"));

    [Fact]
    public void CoreProject_ReferencesOnlyMicrosoftExtensionsPackages()
    {
        var packages = Items(Project("src/Gantry.Core/Gantry.Core.csproj"), "PackageReference");

        Assert.All(packages, p => Assert.StartsWith("Microsoft.Extensions.", p, StringComparison.Ordinal));
    }

    [Fact]
    public void CoreProject_HasNoDirectAssemblyOrFrameworkReferences()
    {
        // A <Reference> to a dll or an ASP.NET Core <FrameworkReference> would get around the package rule.
        var project = Project("src/Gantry.Core/Gantry.Core.csproj");
        Assert.Empty(Items(project, "Reference"));
        Assert.Empty(Items(project, "FrameworkReference"));
        Assert.Equal("Microsoft.NET.Sdk", (string?)project.Root!.Attribute("Sdk"));
    }

    [Fact]
    public void ContractsProject_ReferencesNothing()
    {
        var project = Project("src/Gantry.Contracts/Gantry.Contracts.csproj");

        Assert.Empty(Items(project, "ProjectReference"));
        Assert.Empty(Items(project, "PackageReference"));
        Assert.Empty(Items(project, "Reference"));
        Assert.Empty(Items(project, "FrameworkReference"));
        Assert.Equal("Microsoft.NET.Sdk", (string?)project.Root!.Attribute("Sdk"));
    }

    [Fact]
    public void GearmanFrontProject_ReferencesOnlyTheCoreAndTheCodec()
    {
        // The Gearman front is an adapter around the engine: it must not reach into a store or the HTTP API.
        var references = Items(Project("src/Gantry.Gearman/Gantry.Gearman.csproj"), "ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(r.Replace('\\', '/'))).Order().ToList();

        Assert.Equal(["Gantry.Core", "Gantry.Protocol.Gearman"], references);
        Assert.Empty(Items(Project("src/Gantry.Gearman/Gantry.Gearman.csproj"), "PackageReference"));
    }

    [Fact]
    public void GearmanCodecProject_ReferencesNothing()
    {
        // DESIGN.md: codecs are BCL only, so no other assembly of this repository and no package. The compiled
        // assembly is checked in Gantry.Protocol.Tests (ProtocolAssemblyTests), which references it.
        var project = Project("src/Gantry.Protocol.Gearman/Gantry.Protocol.Gearman.csproj");

        Assert.Empty(Items(project, "ProjectReference"));
        Assert.Empty(Items(project, "PackageReference"));
        Assert.Empty(Items(project, "Reference"));
        Assert.Empty(Items(project, "FrameworkReference"));
        Assert.Equal("Microsoft.NET.Sdk", (string?)project.Root!.Attribute("Sdk"));
    }

    [Theory]
    [InlineData("Directory.Build.props")]
    [InlineData("Directory.Build.targets")]
    [InlineData("src/Directory.Build.props")]
    [InlineData("src/Directory.Build.targets")]
    public void SharedBuildFiles_AddNoReferencesToEveryProject(string relativePath)
    {
        var path = Path.Combine(RepoRoot, relativePath);
        if (!File.Exists(path)) return; // absent is fine: it adds nothing
        var shared = XDocument.Load(path);

        foreach (var itemType in new[] { "ProjectReference", "PackageReference", "Reference", "FrameworkReference" })
            Assert.Empty(Items(shared, itemType));
    }

    public static TheoryData<string> ForbiddenInCore => new()
    {
        "Npgsql", "Microsoft.Data.Sqlite", "Microsoft.AspNetCore.", "Gantry.Storage.", "Gantry.Hosting", "Gantry.Server",
        "Gantry.Client", "Gantry.Contracts", "SQLitePCLRaw.",
    };

    [Theory]
    [MemberData(nameof(ForbiddenInCore))]
    public void CoreAssembly_DoesNotReferenceAdapters(string forbidden)
    {
        var names = typeof(JobEngine).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "");

        Assert.DoesNotContain(names, n => IsOrIsUnder(n, forbidden));
    }

    [Fact]
    public void CoreAssembly_ReferencesOnlyTheBclAndMicrosoftExtensions()
    {
        var names = typeof(JobEngine).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "");

        Assert.All(names, n => Assert.True(IsBcl(n) || n.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal), $"Gantry.Core references {n}"));
    }

    [Fact]
    public void ContractsAssembly_ReferencesOnlyTheBcl()
    {
        var names = typeof(RawJson).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "");

        Assert.All(names, n => Assert.True(IsBcl(n), $"Gantry.Contracts references {n}"));
    }

    [Fact]
    public void ProjectFileReader_FindsReferencesInConditionalGroups()
    {
        // The checks above are only as good as the reader; prove it sees what it must refuse.
        var sample = XDocument.Parse("""
            <Project Sdk="Microsoft.NET.Sdk">
              <ItemGroup Condition="'$(Configuration)' == 'Release'">
                <ProjectReference Include="..\Gantry.Storage.Sqlite\Gantry.Storage.Sqlite.csproj" />
                <PackageReference Include="Npgsql" />
              </ItemGroup>
            </Project>
            """);

        Assert.Single(Items(sample, "ProjectReference"));
        Assert.Equal(["Npgsql"], Items(sample, "PackageReference"));
        Assert.True(IsOrIsUnder("Microsoft.AspNetCore.Http", "Microsoft.AspNetCore."));
        Assert.True(IsOrIsUnder("Gantry.Storage.Sqlite", "Gantry.Storage."));
        Assert.True(IsOrIsUnder("Npgsql", "Npgsql"));
        Assert.False(IsOrIsUnder("NpgsqlFake", "Npgsql"));
    }

    /// <summary>A name ending in a dot means every assembly under it; otherwise the assembly and its sub-assemblies.</summary>
    private static bool IsOrIsUnder(string assemblyName, string forbidden) =>
        forbidden.EndsWith('.')
            ? assemblyName.StartsWith(forbidden, StringComparison.Ordinal)
            : assemblyName == forbidden || assemblyName.StartsWith(forbidden + ".", StringComparison.Ordinal);

    private static bool IsBcl(string assemblyName) =>
        assemblyName is "netstandard" or "mscorlib" || assemblyName == "System" || assemblyName.StartsWith("System.", StringComparison.Ordinal);
}
