namespace Gantry.Core.Topics;

/// <summary>
/// How a front reads one of the hub's live streams (<see cref="TopicHub.StreamAsync"/>,
/// <see cref="TopicHub.StreamPatternAsync"/>). A front often has a step in flight when it ends: it waits for the next
/// message while it writes keep-alives, or took the first step early (before a RECEIPT). Disposing a compiler-built
/// async iterator during a step throws, so ending goes through here: the stream's own token is cancelled, the step in
/// flight is let finish, and only then is the iterator disposed.
/// </summary>
public sealed class LiveReader : IAsyncDisposable
{
    private readonly CancellationTokenSource _end;
    private readonly IAsyncEnumerator<LiveItem> _items;
    private Task<bool>? _step;

    /// <param name="open">Opens the stream with the token it is given (the reader's own, linked to
    /// <paramref name="ct"/>); the stream starts at the first <see cref="Next"/>.</param>
    /// <param name="ct">Ends the stream (the client went away).</param>
    public LiveReader(Func<CancellationToken, IAsyncEnumerable<LiveItem>> open, CancellationToken ct)
    {
        _end = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _items = open(_end.Token).GetAsyncEnumerator(_end.Token);
    }

    /// <summary>Cancelled when the stream ends on this side (<see cref="CancelAsync"/>) or its caller's token fires.</summary>
    public CancellationToken Token => _end.Token;

    /// <summary>The step in flight, or a new one: true when <see cref="Take"/> has an item, false at the stream's end.</summary>
    public Task<bool> Next() => _step ??= _items.MoveNextAsync().AsTask();

    /// <summary>The item the completed step brought; the next <see cref="Next"/> starts another step.</summary>
    public LiveItem Take()
    {
        _step = null;
        return _items.Current;
    }

    /// <summary>Ends the stream without disposing it yet (a front that must first let its own loop finish).</summary>
    public Task CancelAsync() => _end.CancelAsync();

    public async ValueTask DisposeAsync()
    {
        await _end.CancelAsync().ConfigureAwait(false);
        if (_step is not null)
        {
            // The step ends because the stream did; a failure of it has already been seen by whoever awaited it.
            try { await _step.ConfigureAwait(false); }
            catch (Exception) { }
        }
        await _items.DisposeAsync().ConfigureAwait(false);
        _end.Dispose();
    }
}
