using Gantry.Core.Webhooks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Hosting.Webhooks;

/// <summary>The ports Kestrel bound for this server (the HTTP API and every protocol front on it), read when asked: they
/// are known only after start, and a port 0 in the settings becomes a real one then. A host without a server has none.</summary>
internal sealed class ServerOwnPorts(IServiceProvider services) : IOwnPorts
{
    public IReadOnlyCollection<int> Ports
    {
        get
        {
            var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
            if (addresses is null) return [];
            var ports = new HashSet<int>();
            foreach (var address in addresses)
            {
                var normalised = address.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0");
                if (Uri.TryCreate(normalised, UriKind.Absolute, out var uri) && uri.Port > 0) ports.Add(uri.Port);
            }
            return ports;
        }
    }
}
