using Microsoft.Extensions.Logging;

namespace Gantry.Client.Tests.Support;

/// <summary>A logger provider that keeps every entry and lets a test wait for the one it expects (a signal, not a poll).</summary>
public sealed class LogSink : ILoggerProvider
{
    public sealed record Entry(string Category, LogLevel Level, string Message, Exception? Exception, IReadOnlyDictionary<string, object?> Properties);

    private readonly object _lock = new();
    private readonly List<Entry> _entries = [];
    private readonly List<(Func<Entry, bool> Match, TaskCompletionSource<Entry> Found)> _waiters = [];

    public IReadOnlyList<Entry> Entries
    {
        get { lock (_lock) return [.. _entries]; }
    }

    public Task<Entry> WaitForAsync(Func<Entry, bool> match, string what)
    {
        lock (_lock)
        {
            var existing = _entries.FirstOrDefault(match);
            if (existing is not null) return Task.FromResult(existing);
            var found = Signals.New<Entry>();
            _waiters.Add((match, found));
            return found.Task.OrTimeout($"the log entry: {what}");
        }
    }

    private void Add(Entry entry)
    {
        List<TaskCompletionSource<Entry>> matched;
        lock (_lock)
        {
            _entries.Add(entry);
            matched = _waiters.Where(w => w.Match(entry)).Select(w => w.Found).ToList();
            _waiters.RemoveAll(w => matched.Contains(w.Found));
        }
        foreach (var found in matched) found.TrySetResult(entry);
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.First().Value)
                : new Dictionary<string, object?>();
            sink.Add(new Entry(category, logLevel, formatter(state, exception), exception, properties));
        }
    }
}
