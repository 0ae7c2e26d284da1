using Gantry.Core.Engine;
using Gantry.Core.Storage;
using Gantry.Testing;
using Xunit;

namespace Gantry.Storage.Tests;

/// <summary>What every conformance suite shares: a fresh, migrated store from the driver under test on a manual clock,
/// and more stores over the same data ("other servers") when a test needs them.</summary>
public abstract class StoreConformance(StoreDriver driver) : IAsyncLifetime
{
    private readonly List<IStore> _stores = [];

    protected StoreDriver Driver { get; } = driver;

    protected StoreUnderTest S { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var time = new ManualTimeProvider();
        var signals = new JobSignals();
        S = new StoreUnderTest(await OpenAsync(signals, time), signals, time);
    }

    /// <summary>A new store over the same data as every other store this test made ("another server"), migrated.</summary>
    protected async Task<IStore> OpenAsync(JobSignals signals, TimeProvider time)
    {
        var store = await Driver.OpenAsync(signals, time);
        _stores.Add(store);
        return store;
    }

    public async Task DisposeAsync()
    {
        foreach (var store in _stores) await store.DisposeAsync();
        await Driver.DisposeAsync();
    }
}
