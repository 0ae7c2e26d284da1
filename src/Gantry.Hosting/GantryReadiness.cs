namespace Gantry.Hosting;

/// <summary>Whether the server can take jobs: set once the store is open and migrated. <c>/health</c> reports it.</summary>
public sealed class GantryReadiness
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    internal void MarkReady() => _ready = true;
}
