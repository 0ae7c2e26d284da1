namespace Gantry.Core.Storage;

/// <summary>Whether the server can take jobs: set once the store is open and migrated. The health endpoints report it.</summary>
public sealed class StoreHealth
{
    private volatile bool _open;

    /// <summary>The store is open and migrated.</summary>
    public bool IsOpen => _open;

    public void MarkOpen() => _open = true;
}
