using System.Collections.Concurrent;
using Gantry.Core.Maintenance;
using Gantry.Core.Stats;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Gantry.Server.Tests.Stats;

/// <summary>
/// The whole server on a manual clock, so delays and process times are exact: a test enqueues, moves the clock, fetches,
/// moves it again and completes, and knows every duration to the microsecond. The job log's records arrive through a
/// subscription (as an embedding application would get them) and through the ILogger pipeline (as a log shipper would).
/// Tests in one class run one at a time and keep apart by queue name; the clock only moves forward.
/// </summary>
public abstract class StatsServerFixture : IAsyncLifetime
{
    /// <summary>Retries come 10 s after a failure, exactly.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(10);

    public ManualTimeProvider Time { get; } = new();
    public RecordingLoggerProvider Logs { get; } = new();
    public TestStore Store { get; private set; } = null!;
    public InProcessServer Server { get; private set; } = null!;
    public HttpClient Http => Server.Http;

    private readonly ConcurrentQueue<JobRecord> _records = new();
    private IDisposable? _subscription;

    protected abstract Task<TestStore> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        Store = await CreateStoreAsync();
        Server = await InProcessServer.StartAsync(Store, new Dictionary<string, string?>
        {
            ["Gantry:Retry:BaseDelay"] = RetryDelay.ToString(),
            ["Gantry:Retry:Jitter"] = "0",
            ["Gantry:Timings:FallbackPollInterval"] = "00:10:00",
            // The job log reaches the recording provider; the console stays quiet.
            ["Logging:LogLevel:Gantry.JobLog"] = "Information",
            ["Logging:Console:LogLevel:Default"] = "None",
        }, services =>
        {
            services.AddSingleton<TimeProvider>(Time);
            services.AddSingleton<ILoggerProvider>(Logs);
        });
        _subscription = Server.App.Services.GetRequiredService<JobLog>().Subscribe(new Collector(_records));
    }

    public async Task DisposeAsync()
    {
        _subscription?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
        if (Store is not null) await Store.DisposeAsync();
    }

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>The job log's records of one job, oldest first.</summary>
    public IReadOnlyList<JobRecord> RecordsOf(long id) => _records.Where(r => r.JobId == id).ToList();

    public Task PromoteDueAsync() => Server.App.Services.GetRequiredService<JobMaintenance>().PromoteDueAsync();

    public Task<int> RescueExpiredLeasesAsync() => Server.App.Services.GetRequiredService<JobMaintenance>().RescueExpiredLeasesAsync();

    private sealed class Collector(ConcurrentQueue<JobRecord> records) : IJobLogObserver
    {
        public void OnJobsLogged(ReadOnlySpan<JobRecord> batch)
        {
            foreach (var r in batch) records.Enqueue(r);
        }
    }
}

public sealed class SqliteStatsServerFixture : StatsServerFixture
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

public sealed class PostgresStatsServerFixture : StatsServerFixture
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync();
}

/// <summary>Keeps every log entry the server writes at the levels its configuration lets through.</summary>
public sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(RecordingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.ToDictionary(p => p.Key, p => p.Value)
                : new Dictionary<string, object?>();
            owner._entries.Enqueue(new LogEntry(category, logLevel, formatter(state, exception), fields));
        }
    }
}

public sealed record LogEntry(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Fields);
