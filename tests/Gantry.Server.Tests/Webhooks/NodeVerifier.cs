using Gantry.Testing;

namespace Gantry.Server.Tests.Webhooks;

/// <summary>The Node receiver (Webhooks/node/receiver.js) that verifies each POST with the npm package standardwebhooks.
/// The package is installed into that folder by test.sh; a run without it installs it here (npm ci).</summary>
public static class NodeVerifier
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    /// <summary>The folder holding receiver.js, package.json and (once installed) node_modules: in the source tree, so
    /// one install serves every build.</summary>
    public static string Folder { get; } = FindFolder();

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gantry.Server.Tests.csproj"))) return Path.Combine(dir.FullName, "Webhooks", "node");
        }
        throw new InvalidOperationException("tests/Gantry.Server.Tests not found above " + AppContext.BaseDirectory);
    }

    public static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(Folder, "node_modules", "standardwebhooks"))) return;
            var npm = await ChildProcess.RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--prefix", Folder], limit: TimeSpan.FromMinutes(3));
            if (npm.ExitCode != 0)
                throw new Xunit.Sdk.XunitException($"npm ci in {Folder} failed (the standardwebhooks package is needed; test.sh installs it): {npm.Stdout}{npm.Stderr}");
        }
        finally
        {
            InstallLock.Release();
        }
    }

    /// <summary>Starts the receiver for <paramref name="secret"/> on a free loopback port and waits until it listens.</summary>
    public static async Task<(ChildProcess Process, string Url)> StartAsync(string secret)
    {
        await EnsureInstalledAsync();
        var port = FreePort.Next();
        var process = ChildProcess.Start("node", [Path.Combine(Folder, "receiver.js"), secret, port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await process.WaitForLineAsync(l => l.StartsWith("listening", StringComparison.Ordinal), "the Node receiver to listen");
        return (process, $"http://127.0.0.1:{port}/hooks");
    }
}
