namespace Gantry.Storage.Sqlite;

/// <summary>Times are stored as integer microseconds since the Unix epoch: exact, sortable, and indexable.</summary>
internal static class SqliteTime
{
    public static long ToDb(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset FromDb(long micros) => new(DateTimeOffset.UnixEpoch.UtcTicks + micros * 10, TimeSpan.Zero);

    public static DateTimeOffset? FromDb(object? value) => value is long micros ? FromDb(micros) : null;

    public static long Micros(TimeSpan span) => span.Ticks / 10;
}
