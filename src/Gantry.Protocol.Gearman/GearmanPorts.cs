namespace Gantry.Protocol.Gearman;

/// <summary>Gearman's port, in one place for the job server's listen address and its clients' and workers' default.</summary>
public static class GearmanPorts
{
    /// <summary>4730: Gearman's IANA-assigned port, gearmand's default.</summary>
    public const int Default = 4730;

    /// <summary>The default address: the default port on loopback only.</summary>
    public const string DefaultLoopback = "127.0.0.1:4730";
}
