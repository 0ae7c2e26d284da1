namespace Gantry.Contracts;

/// <summary>Gantry's HTTP port, in one place for the server's default listen address and the SDK's default server.</summary>
public static class GantryPorts
{
    /// <summary>4780: the HTTP API's port unless configured.</summary>
    public const int Http = 4780;

    /// <summary>Where a server listens, and a client looks, unless told otherwise: loopback only.</summary>
    public const string DefaultUrl = "http://127.0.0.1:4780";
}
