using Gantry.Testing;

namespace Gantry.Server.Tests.Functional;

/// <summary>The Node script Functional/node/sse-client.mjs: a real EventSource (npm package eventsource, pinned by
/// package-lock.json, installed by test.sh; a run without it installs it here with npm ci).</summary>
public static class NodeSseClient
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static string Folder { get; } = FindFolder();

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gantry.Server.Tests.csproj"))) return Path.Combine(dir.FullName, "Functional", "node");
        }
        throw new InvalidOperationException("tests/Gantry.Server.Tests not found above " + AppContext.BaseDirectory);
    }

    private static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(Folder, "node_modules", "eventsource"))) return;
            var npm = await ChildProcess.RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--prefix", Folder], limit: TimeSpan.FromMinutes(3));
            if (npm.ExitCode != 0)
                throw new Xunit.Sdk.XunitException($"npm ci in {Folder} failed (the eventsource package is needed; test.sh installs it): {npm.Stdout}{npm.Stderr}");
        }
        finally
        {
            InstallLock.Release();
        }
    }

    /// <summary>Starts an EventSource on <paramref name="url"/>; its stdout has one JSON line per event.</summary>
    public static async Task<ChildProcess> StartAsync(Uri url)
    {
        await EnsureInstalledAsync();
        return ChildProcess.Start("node", [Path.Combine(Folder, "sse-client.mjs"), url.ToString()]);
    }
}
