using Gantry.Client;
using Gantry.Testing;

namespace Gantry.Workers.Tests.Infrastructure;

/// <summary>A <c>gantry server</c> child process on a throw-away SQLite folder, shared by one test class. Retries come
/// almost at once and expired leases are noticed quickly, so tests through failures and kills finish fast.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private TestStore? _store;
    private ServerProcess? _server;

    public Uri BaseAddress => _server!.BaseAddress;
    /// <summary>The server's Gearman port, <c>HOST:PORT</c>.</summary>
    public string GearmanAddress => _server!.GearmanAddress;
    public GantryClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _store = TestStore.Sqlite();
        // As environment variables: Gantry:Retry:BaseDelay is GANTRY_RETRY__BASEDELAY.
        _server = await ServerProcess.StartAsync(_store, TestSettings.QuickRetries.ToDictionary(
            kv => ("GANTRY_" + kv.Key["Gantry:".Length..]).Replace(":", "__").ToUpperInvariant(), kv => kv.Value));
        Client = new GantryClient(_server.BaseAddress.ToString());
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_server is not null) await _server.DisposeAsync();
        if (_store is not null) await _store.DisposeAsync();
    }

    /// <summary>A queue name no other test uses.</summary>
    public static string Queue(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}
