using System.Net;
using System.Net.Sockets;

namespace Gantry.Testing;

/// <summary>Loopback TCP ports nobody listens on right now, for servers that must be told their port up front
/// (prefer port 0 and asking the server where it listens whenever the server can say).</summary>
public static class FreePort
{
    /// <summary>A port that was free a moment ago. Another process may take it before the caller binds it; the
    /// ephemeral range is large, so that is rare, and the caller's bind then fails loudly rather than silently.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>An http:// address on loopback at a free port.</summary>
    public static string LoopbackUrl() => $"http://127.0.0.1:{Next()}";
}
