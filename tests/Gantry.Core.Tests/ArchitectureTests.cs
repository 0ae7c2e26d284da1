using System.Xml.Linq;
using Gantry.Contracts;
using Gantry.Core.Engine;
using Xunit;

namespace Gantry.Core.Tests;

/// <summary>
/// ARCHITECTURE.md's table, held to every project's file: each references only the projects and packages its row
/// names. The core and the wire contracts are also checked in their compiled assemblies (what the build did), so a
/// transitive reference cannot slip in either.
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

    private static List<string> Items(XDocument project, string itemType) =>
        project.Descendants().Where(e => e.Name.LocalName == itemType)
            .Select(e => (string?)e.Attribute("Include") ?? (string?)e.Attribute("Update") ?? "")
            .ToList();

    [Fact]
    public void RepoRoot_IsFoundAboveTheTestOutput() =>
        Assert.True(File.Exists(Path.Combine(RepoRoot, "src", "Gantry.Core", "Gantry.Core.csproj")));

    // ---- the table in ARCHITECTURE.md -------------------------------------------------------------------------

    /// <summary>One row of the table: a project, the projects and packages it may reference, the tests that prove it.</summary>
    public sealed record Row(string Project, IReadOnlyList<string> References, IReadOnlyList<string> Packages, IReadOnlyList<string> ProvenBy)
    {
        public override string ToString() => Project;
    }

    private static readonly Lazy<IReadOnlyList<Row>> Table = new(ReadTable);

    private static IReadOnlyList<Row> ReadTable()
    {
        var text = File.ReadAllText(Path.Combine(RepoRoot, "ARCHITECTURE.md"));
        var begin = text.IndexOf("<!-- projects:begin -->", StringComparison.Ordinal);
        var end = text.IndexOf("<!-- projects:end -->", StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "ARCHITECTURE.md has no projects table between <!-- projects:begin --> and <!-- projects:end -->");
        var rows = new List<Row>();
        foreach (var line in text[begin..end].Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var cells = line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            Assert.True(cells.Length == 5, $"ARCHITECTURE.md: a table row has {cells.Length} cells, not 5: {line}");
            rows.Add(new Row(Names(cells[0]).Single(), Names(cells[2]), Names(cells[3]), Names(cells[4])));
        }
        return rows;
    }

    /// <summary>The names in backticks of one cell ("—" is none).</summary>
    private static List<string> Names(string cell) =>
        System.Text.RegularExpressions.Regex.Matches(cell, "`([^`]+)`").Select(m => m.Groups[1].Value).ToList();

    public static TheoryData<string> TableRows()
    {
        var data = new TheoryData<string>();
        foreach (var row in ReadTable()) data.Add(row.Project);
        return data;
    }

    private static Row RowOf(string project) => Table.Value.Single(r => r.Project == project);

    private static string ProjectFile(string project) => Path.Combine(project, Path.GetFileName(project) + ".csproj");

    [Theory]
    [MemberData(nameof(TableRows))]
    public void Project_references_only_the_projects_its_row_names(string project)
    {
        var row = RowOf(project);
        var references = Items(Project(ProjectFile(project)), "ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(r.Replace('\\', '/'))).Order().ToList();

        Assert.All(references, r => Assert.True(row.References.Contains(r),
            $"{project} references {r}, which its row in ARCHITECTURE.md does not allow (it allows: {string.Join(", ", row.References)})"));
    }

    [Theory]
    [MemberData(nameof(TableRows))]
    public void Project_uses_only_the_packages_and_frameworks_its_row_names(string project)
    {
        var row = RowOf(project);
        var file = Project(ProjectFile(project));
        var used = Items(file, "PackageReference").Concat(Items(file, "FrameworkReference")).ToList();
        // The web SDK brings ASP.NET Core in without a FrameworkReference.
        if ((string?)file.Root!.Attribute("Sdk") == "Microsoft.NET.Sdk.Web") used.Add("Microsoft.AspNetCore.App");

        Assert.Empty(Items(file, "Reference")); // a dll by path would get around the rule
        Assert.All(used, p => Assert.True(row.Packages.Any(allowed => Matches(p, allowed)),
            $"{project} uses {p}, which its row in ARCHITECTURE.md does not allow (it allows: {string.Join(", ", row.Packages)})"));
    }

    [Theory]
    [MemberData(nameof(TableRows))]
    public void Every_source_project_names_test_projects_that_exist(string project)
    {
        var row = RowOf(project);
        if (!project.StartsWith("src/", StringComparison.Ordinal)) return; // samples and load generators are proven by use
        Assert.NotEmpty(row.ProvenBy);
        Assert.All(row.ProvenBy, t => Assert.True(File.Exists(Path.Combine(RepoRoot, ProjectFile(t))), $"{project}: {t} does not exist"));
    }

    [Fact]
    public void Every_project_of_the_repository_has_a_row_and_every_row_a_project()
    {
        var onDisk = new[] { "src", "samples", "bench" }
            .SelectMany(d => Directory.GetFiles(Path.Combine(RepoRoot, d), "*.csproj", SearchOption.AllDirectories))
            .Where(f => !f.Contains("/node_modules/", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(RepoRoot, Path.GetDirectoryName(f)!).Replace('\\', '/'))
            .Order().ToList();

        Assert.Equal(onDisk, Table.Value.Select(r => r.Project).Order().ToList());
    }

    /// <summary>A name, or a prefix ending in <c>.*</c>.</summary>
    private static bool Matches(string package, string allowed) =>
        allowed.EndsWith(".*", StringComparison.Ordinal)
            ? package.StartsWith(allowed[..^1], StringComparison.Ordinal)
            : package == allowed;

    private static XDocument Project(string relativePath)
    {
        var path = Path.Combine(RepoRoot, relativePath);
        Assert.True(File.Exists(path), $"{path} is missing: ARCHITECTURE.md must be told where the project went.");
        return XDocument.Load(path);
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
