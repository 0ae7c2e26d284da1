using System.Net;

namespace Gantry.Core.Webhooks;

/// <summary>
/// One entry of <c>Gantry:Webhooks:AllowHosts</c> or <c>DenyHosts</c>: a host name (matched case-insensitively), a
/// wildcard suffix (<c>*.example.com</c>, which matches sub-domains, not the bare domain), an IP address or a CIDR network
/// (<c>10.0.0.0/8</c>, <c>fd00::/8</c>). Names are matched against the URL's host, addresses and networks against every
/// address the host resolves to, so a name cannot be used to reach a denied network.
/// </summary>
public sealed class HostRule
{
    private readonly string? _name;
    private readonly string? _suffix;
    private readonly IPNetwork? _network;

    private HostRule(string text, string? name, string? suffix, IPNetwork? network)
    {
        Text = text;
        _name = name;
        _suffix = suffix;
        _network = network;
    }

    public string Text { get; }

    /// <summary>What is wrong with <paramref name="text"/> as a rule; null when it is one.</summary>
    public static string? Check(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "an entry must not be empty.";
        return TryParse(text, out _) ? null
            : $"'{text}' is not a host name, '*.domain', IP address or CIDR network (10.0.0.0/8).";
    }

    public static bool TryParse(string text, out HostRule rule)
    {
        rule = null!;
        var t = text.Trim();
        if (t.Contains('/'))
        {
            if (!IPNetwork.TryParse(t, out var network)) return false;
            rule = new HostRule(t, null, null, network);
            return true;
        }
        if (IPAddress.TryParse(t.Trim('[', ']'), out var ip))
        {
            rule = new HostRule(t, null, null, new IPNetwork(ip, ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            return true;
        }
        if (t.StartsWith("*.", StringComparison.Ordinal))
        {
            if (Uri.CheckHostName(t[2..]) != UriHostNameType.Dns) return false;
            rule = new HostRule(t, null, t[1..].ToLowerInvariant(), null);
            return true;
        }
        if (Uri.CheckHostName(t) != UriHostNameType.Dns) return false;
        rule = new HostRule(t, t.ToLowerInvariant(), null, null);
        return true;
    }

    public static IReadOnlyList<HostRule> ParseAll(IEnumerable<string> texts) =>
        texts.Select(t => TryParse(t, out var r) ? r : throw new ArgumentException($"not a host rule: {t}", nameof(texts))).ToList();

    /// <summary>True when this is a name rule that names <paramref name="host"/>.</summary>
    public bool MatchesName(string host) =>
        _name is not null ? string.Equals(_name, host, StringComparison.OrdinalIgnoreCase)
        : _suffix is not null && host.EndsWith(_suffix, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when this is an address or network rule that contains <paramref name="address"/>.</summary>
    public bool MatchesAddress(IPAddress address)
    {
        if (_network is not { } network) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return network.Contains(address);
    }

    public override string ToString() => Text;
}
