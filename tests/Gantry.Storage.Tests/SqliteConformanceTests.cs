using Gantry.Core.Engine;
using Gantry.Core.Storage;
using Gantry.Storage.Sqlite;
using Gantry.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Storage.Tests;

/// <summary>The conformance suite on a real SQLite file in a fresh temp folder.</summary>
public sealed class SqliteConformanceTests : JobStoreConformance
{
    private readonly TempFolder _folder = new("gantry-sqlite");

    protected override bool SupportsSeveralServers => false;

    protected override async Task<IJobStore> OpenStoreAsync(JobSignals signals, TimeProvider time)
    {
        var store = new SqliteJobStore(Microsoft.Extensions.Options.Options.Create(new SqliteStoreOptions { DataDirectory = _folder.Path }),
            signals, time, NullLogger<SqliteJobStore>.Instance);
        await store.MigrateAsync(default);
        return store;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _folder.Dispose();
    }
}
