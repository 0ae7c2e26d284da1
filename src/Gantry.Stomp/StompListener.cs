using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gantry.Stomp;

/// <summary>Where the STOMP front listens once Kestrel bound it (the port is the OS's choice when configured as 0).</summary>
public sealed class StompListener
{
    internal ListenOptions? Options { get; set; }

    public IPEndPoint? EndPoint => Options?.IPEndPoint;

    public override string ToString() => EndPoint is { } ep ? Core.Options.ListenEndpoint.Format(ep) : "-";
}
