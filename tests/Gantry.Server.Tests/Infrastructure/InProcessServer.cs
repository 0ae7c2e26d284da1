using Gantry.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Gantry.Server.Tests.Infrastructure;

/// <summary>
/// The whole Gantry server, composed by <see cref="GantryServerApp.Build"/> exactly as <c>gantry server</c> does,
/// listening on a real loopback port in this process.
/// </summary>
public sealed class InProcessServer : IAsyncDisposable
{
    private InProcessServer(WebApplication app, Uri baseAddress)
    {
        App = app;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(120) };
        Client = NewClient();
    }

    public WebApplication App { get; }
    public Uri BaseAddress { get; }
    /// <summary>For the wire itself: status codes, headers, raw bodies.</summary>
    public HttpClient Http { get; }
    /// <summary>The SDK, for typed calls and for reading state back.</summary>
    public GantryClient Client { get; }

    /// <summary>Starts a server on <paramref name="store"/> with <see cref="TestSettings.Base"/>, then
    /// <paramref name="settings"/> on top; <paramref name="services"/> registers before the server does (a manual clock).</summary>
    public static async Task<InProcessServer> StartAsync(TestStore store, IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(TestSettings.Merge(TestSettings.Base, store.Settings, settings))
            .Build();
        var app = GantryServerApp.Build(configuration, services);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        var address = GantryServerApp.Addresses(app).Single(a => a.StartsWith("http://127.0.0.1:", StringComparison.Ordinal));
        return new InProcessServer(app, new Uri(address));
    }

    public GantryClient NewClient(string? token = null) => new(new GantryClientOptions { ServerUrl = BaseAddress, Token = token });

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Http.Dispose();
        // Graceful, but bounded: a long poll a test left behind must not hold the shutdown for its whole wait.
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await App.StopAsync(stopping.Token); }
        catch (OperationCanceledException) { }
        await App.DisposeAsync();
    }
}

/// <summary>
/// One in-process server per test class, on a store of the subclass's kind. Tests in the class share it and keep
/// apart by using queues of their own (<see cref="Names.Queue"/>).
/// </summary>
public abstract class ServerFixture : IAsyncLifetime
{
    public TestStore Store { get; private set; } = null!;
    public InProcessServer Server { get; private set; } = null!;

    protected abstract Task<TestStore> CreateStoreAsync();

    /// <summary>Retries and lease checks are quick, and wake-ups cannot come from the fallback poll.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings =>
        TestSettings.Merge(TestSettings.QuickRetries, TestSettings.NoFallbackPoll);

    public async Task InitializeAsync()
    {
        Store = await CreateStoreAsync();
        Server = await InProcessServer.StartAsync(Store, Settings);
    }

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        if (Store is not null) await Store.DisposeAsync();
    }
}

public sealed class SqliteServerFixture : ServerFixture
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

public sealed class PostgresServerFixture : ServerFixture
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync();
}

public sealed class SqliteSmallLimitsFixture : ServerFixture
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
    protected override IReadOnlyDictionary<string, string?> Settings => TestSettings.Merge(base.Settings, SmallLimits.Settings);
}

public sealed class PostgresSmallLimitsFixture : ServerFixture
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync();
    protected override IReadOnlyDictionary<string, string?> Settings => TestSettings.Merge(base.Settings, SmallLimits.Settings);
}
