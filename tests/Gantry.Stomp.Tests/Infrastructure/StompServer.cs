using System.Net;
using Gantry.Hosting;
using Gantry.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Stomp.Tests.Infrastructure;

/// <summary>
/// The whole Gantry server in this process, composed by <see cref="GantryServerApp.Build"/> as <c>gantry server</c>
/// does, with its HTTP API and its STOMP front on ports the OS picks (<see cref="TestSettings.Base"/>).
/// </summary>
public sealed class StompServer : IAsyncDisposable
{
    private readonly TestStore _store;

    private StompServer(TestStore store, WebApplication app, Uri http, IPEndPoint stomp)
    {
        (_store, App, Stomp) = (store, app, stomp);
        Http = new HttpClient { BaseAddress = http, Timeout = TimeSpan.FromSeconds(60) };
    }

    public WebApplication App { get; }
    public HttpClient Http { get; }
    public IPEndPoint Stomp { get; }

    /// <summary>A server on a fresh SQLite store with <paramref name="settings"/> over the shared test settings.</summary>
    public static async Task<StompServer> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var store = TestStore.Sqlite();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(TestSettings.Merge(TestSettings.Base, store.Settings, settings))
            .Build();
        var app = GantryServerApp.Build(configuration);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            await store.DisposeAsync();
            throw;
        }
        var endpoints = app.Services.GetRequiredService<GantryEndpoints>();
        var http = endpoints.Http.Single(a => a.StartsWith("http://127.0.0.1:", StringComparison.Ordinal));
        var stomp = endpoints.Stomp ?? throw new InvalidOperationException("The server's STOMP front is off.");
        return new StompServer(store, app, new Uri(http), stomp);
    }

    /// <summary>A new raw STOMP connection to this server, not yet CONNECTed.</summary>
    public Task<RawStomp> OpenAsync(int? receiveBufferBytes = null) => RawStomp.OpenAsync(Stomp, receiveBufferBytes);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await App.StopAsync(stopping.Token); }
        catch (OperationCanceledException) { }
        await App.DisposeAsync();
        await _store.DisposeAsync();
    }
}

/// <summary>One server per test class; tests keep apart by using topics of their own.</summary>
public class StompServerFixture : IAsyncLifetime
{
    public StompServer Server { get; private set; } = null!;

    protected virtual IReadOnlyDictionary<string, string?>? Settings => null;

    public async Task InitializeAsync() => Server = await StompServer.StartAsync(Settings);

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
    }
}
