using Microsoft.Extensions.Logging;

namespace Gantry.Server.Tests.Infrastructure;

/// <summary>A logger provider that keeps every line an in-process component logs, for a test to read.</summary>
public sealed class LogLines : ILoggerProvider
{
    public sealed record Line(string Category, LogLevel Level, string Message, Exception? Exception);

    private readonly Lock _gate = new();
    private readonly List<Line> _lines = [];

    public IReadOnlyList<Line> All
    {
        get { lock (_gate) return [.. _lines]; }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogLines sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            lock (sink._gate) sink._lines.Add(new Line(category, logLevel, formatter(state, exception), exception));
        }
    }
}
