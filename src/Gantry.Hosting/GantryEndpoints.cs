using System.Net;
using Gantry.Core;
using Gantry.Gearman;
using Gantry.Stomp;
using Gantry.Storage.Sqlite;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gantry.Hosting;

/// <summary>Where a started server listens and what it stores into: for its start-up line, warnings and tests.</summary>
public sealed class GantryEndpoints(IServer server, IServiceProvider services, IOptions<GantryServerOptions> options)
{
    /// <summary>The Gearman front's port once bound; null when the front is off.</summary>
    public IPEndPoint? Gearman => services.GetService<GearmanListener>()?.EndPoint;

    /// <summary>The STOMP front's port once bound; null when the front is off.</summary>
    public IPEndPoint? Stomp => services.GetService<StompListener>()?.EndPoint;

    /// <summary>The HTTP addresses (Kestrel lists the fronts' ports among its addresses; they are not HTTP).</summary>
    public IReadOnlyList<string> Http
    {
        get
        {
            var all = server.Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
            if (Gearman is { } gearman)
                all.RemoveAll(a => Uri.TryCreate(a, UriKind.Absolute, out var u) && u.Port == gearman.Port);
            if (Stomp is { } stomp)
                all.RemoveAll(a => Uri.TryCreate(a, UriKind.Absolute, out var u) && u.Port == stomp.Port);
            return all;
        }
    }

    /// <summary>One line that says where the server listens and what it stores into.</summary>
    public string Describe()
    {
        var store = options.Value.UsesPostgres
            ? "postgresql"
            : "sqlite at " + services.GetRequiredService<IOptions<SqliteStoreOptions>>().Value.DatabasePath;
        return $"Gantry {GantryVersion.Current} listening on {string.Join(", ", Http)} (store: {store})";
    }

    /// <summary>The Gearman front's address as gearman clients write it (<c>HOST:PORT</c>).</summary>
    public string? GearmanAddress => Gearman is { } ep
        ? (ep.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ep.Address}]:{ep.Port}" : $"{ep.Address}:{ep.Port}")
        : null;

    /// <summary>The STOMP front's address as STOMP clients write it (<c>HOST:PORT</c>).</summary>
    public string? StompAddress => Stomp is { } ep ? Core.Options.ListenEndpoint.Format(ep) : null;
}
