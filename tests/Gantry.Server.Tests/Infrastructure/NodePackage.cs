using Gantry.Testing;

namespace Gantry.Server.Tests.Infrastructure;

/// <summary>
/// A Node package folder under tests/Gantry.Server.Tests (a package.json and package-lock.json pinning a real client
/// this project did not write). test.sh installs it with npm ci; a run without test.sh installs it here, once.
/// </summary>
public sealed class NodePackage(string relativeFolder, string package)
{
    private readonly SemaphoreSlim _installLock = new(1, 1);

    /// <summary>The folder in the source tree, so one install serves every build.</summary>
    public string Folder { get; } = Find(relativeFolder);

    private static string Find(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gantry.Server.Tests.csproj"))) return Path.Combine(dir.FullName, relative);
        }
        throw new InvalidOperationException("tests/Gantry.Server.Tests not found above " + AppContext.BaseDirectory);
    }

    public async Task EnsureInstalledAsync()
    {
        await _installLock.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(Folder, "node_modules", package))) return;
            var npm = await ChildProcess.RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--prefix", Folder], limit: TimeSpan.FromMinutes(3));
            if (npm.ExitCode != 0)
                throw new Xunit.Sdk.XunitException($"npm ci in {Folder} failed (the {package} package is needed; test.sh installs it): {npm.Stdout}{npm.Stderr}");
        }
        finally
        {
            _installLock.Release();
        }
    }
}
