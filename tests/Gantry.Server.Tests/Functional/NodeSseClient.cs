using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;

namespace Gantry.Server.Tests.Functional;

/// <summary>The Node script Functional/node/sse-client.mjs: a real EventSource (npm package eventsource, pinned by
/// package-lock.json, installed by test.sh; a run without it installs it here with npm ci).</summary>
public static class NodeSseClient
{
    private static readonly NodePackage Package = new("Functional/node", "eventsource");

    public static string Folder => Package.Folder;

    public static Task EnsureInstalledAsync() => Package.EnsureInstalledAsync();

    /// <summary>Starts an EventSource on <paramref name="url"/>; its stdout has one JSON line per event.</summary>
    public static async Task<ChildProcess> StartAsync(Uri url)
    {
        await EnsureInstalledAsync();
        return ChildProcess.Start("node", [Path.Combine(Folder, "sse-client.mjs"), url.ToString()]);
    }
}
