using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Core.Storage;

/// <summary>
/// Whether the server can use its store: open (migrated) and reachable, as the last call to it found. A store that
/// goes away is logged once, and once more when it is back: one line per change, never a stack trace per request.
/// The readiness endpoint reports it; drivers report every call's fate (cheaply: a volatile read when nothing changed).
/// </summary>
public sealed class StoreHealth(ILogger<StoreHealth>? log = null, TimeProvider? time = null)
{
    private readonly ILogger _log = log ?? NullLogger<StoreHealth>.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private volatile bool _open;
    private volatile bool _unreachable;
    private DateTimeOffset _since;
    private string? _reason;

    /// <summary>The store is open and migrated.</summary>
    public bool IsOpen => _open;

    /// <summary>The last call to the store could not reach it.</summary>
    public bool IsUnreachable => _unreachable;

    /// <summary>Open, and not known to be unreachable.</summary>
    public bool IsReady => _open && !_unreachable;

    /// <summary>Why the store is unreachable, and since when; null while it is reachable.</summary>
    public (string Reason, DateTimeOffset Since)? Outage
    {
        get { lock (_gate) return _unreachable ? (_reason ?? "", _since) : null; }
    }

    public void MarkOpen() => _open = true;

    /// <summary>A call failed because the store could not be reached.</summary>
    public void Unreachable(StoreUnavailableException ex)
    {
        // Before the store is open nobody is told to retry: the server is not started, and whoever opens the store
        // (the start-up, gantry migrate) reports that it could not, once.
        if (_unreachable || !_open) return;
        lock (_gate)
        {
            if (_unreachable) return;
            _reason = ex.Reason;
            _since = _time.GetUtcNow();
            _unreachable = true;
        }
        _log.LogError("The {Store} store cannot be reached ({Reason}); callers are told to retry (HTTP 503) until it is back", ex.Store, ex.Reason);
    }

    /// <summary>A call reached the store.</summary>
    public void Reachable(string store)
    {
        if (!_unreachable) return;
        TimeSpan down;
        lock (_gate)
        {
            if (!_unreachable) return;
            _unreachable = false;
            down = _time.GetUtcNow() - _since;
        }
        // Warning, not Information: whoever filters logs to see the outage (an error) must also see it end.
        _log.LogWarning("The {Store} store is reachable again, after {Seconds:0.#} s", store, down.TotalSeconds);
    }
}
