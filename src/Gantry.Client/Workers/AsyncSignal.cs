namespace Gantry.Client.Workers;

/// <summary>
/// An auto-reset signal with an async wait: <see cref="Set"/> wakes the one waiter, or is remembered until the next
/// wait. Setting an already-set signal costs nothing, so hot paths may call it freely.
/// </summary>
internal sealed class AsyncSignal
{
    private readonly object _lock = new();
    private TaskCompletionSource? _waiter;
    private bool _set;

    public void Set()
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            waiter = _waiter;
            _waiter = null;
            if (waiter is null) _set = true;
        }
        waiter?.TrySetResult();
    }

    public Task WaitAsync(CancellationToken ct)
    {
        lock (_lock)
        {
            if (_set)
            {
                _set = false;
                return Task.CompletedTask;
            }
            _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiter.Task.WaitAsync(ct);
        }
    }
}
