using System.Net;
using System.Net.NetworkInformation;
using Gantry.Core.Options;

namespace Gantry.Core.Webhooks;

/// <summary>
/// Which addresses a webhook may POST to. Refused always: this machine's addresses (loopback, the unspecified address,
/// any interface's address) on a port this server listens on, so a webhook cannot drive Gantry's own admin API. Then
/// <c>Gantry:Webhooks:DenyHosts</c> refuses, and a non-empty <c>AllowHosts</c> admits only what it names. Everything
/// else, loopback on other ports included, is allowed: a self-hosted server's receivers often run beside it.
/// </summary>
public sealed class WebhookAddressPolicy
{
    private readonly IReadOnlyList<HostRule> _allow;
    private readonly IReadOnlyList<HostRule> _deny;
    private readonly IOwnPorts _ownPorts;

    public WebhookAddressPolicy(WebhookOptions options, IOwnPorts ownPorts)
    {
        _allow = HostRule.ParseAll(options.AllowHosts);
        _deny = HostRule.ParseAll(options.DenyHosts);
        _ownPorts = ownPorts;
    }

    /// <summary>Why <paramref name="host"/>:<paramref name="port"/>, resolving to <paramref name="addresses"/>, may not be
    /// called; null when it may.</summary>
    public string? Refusal(string host, int port, IReadOnlyList<IPAddress> addresses)
    {
        var own = _ownPorts.Ports;
        if (own.Contains(port))
        {
            foreach (var address in addresses)
                if (IsThisMachine(address))
                    return $"{host}:{port} is this Gantry server's own address; a webhook may not call the server itself.";
        }
        foreach (var rule in _deny)
        {
            if (rule.MatchesName(host)) return $"host '{host}' is refused by Gantry:Webhooks:DenyHosts ({rule}).";
            foreach (var address in addresses)
                if (rule.MatchesAddress(address)) return $"host '{host}' ({address}) is refused by Gantry:Webhooks:DenyHosts ({rule}).";
        }
        if (_allow.Count == 0 || _allow.Any(r => r.MatchesName(host))) return null;
        foreach (var address in addresses)
            if (!_allow.Any(r => r.MatchesAddress(address)))
                return $"host '{host}' ({address}) is not in Gantry:Webhooks:AllowHosts.";
        return null;
    }

    /// <summary>True for an address that reaches this machine: loopback, unspecified, or one of its interfaces'.</summary>
    public static bool IsThisMachine(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) return true;
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                    if (unicast.Address.Equals(address)) return true;
        }
        catch (NetworkInformationException)
        {
            // Interfaces cannot be listed here: only loopback and unspecified count as this machine.
        }
        return false;
    }
}
