namespace Gantry.Core.Webhooks;

/// <summary>The ports this server listens on (HTTP API, protocol fronts), known only once the host has bound them: a
/// webhook must not be turned against the server's own endpoints. The composition root implements it.</summary>
public interface IOwnPorts
{
    IReadOnlyCollection<int> Ports { get; }
}
