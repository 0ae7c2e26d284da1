using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;

namespace Gantry.Server.Tests.Webhooks;

/// <summary>The Node receiver (Webhooks/node/receiver.js) that verifies each POST with the npm package standardwebhooks.
/// The package is installed into that folder by test.sh; a run without it installs it here (npm ci).</summary>
public static class NodeVerifier
{
    private static readonly NodePackage Package = new("Webhooks/node", "standardwebhooks");

    public static string Folder => Package.Folder;

    public static Task EnsureInstalledAsync() => Package.EnsureInstalledAsync();

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
