using System.Net;
using Gantry.Core.Options;
using Gantry.Core.Webhooks;
using Xunit;

namespace Gantry.Core.Tests.Webhooks;

/// <summary>The address rules on their own (no DNS): <c>DenyHosts</c> and <c>AllowHosts</c> entries as host names,
/// <c>*.domain</c>, IP addresses and CIDR networks; deny before allow; this server's own ports refused on this machine's
/// addresses only; and the guard refusing an IP literal without resolving anything.</summary>
public sealed class WebhookAddressPolicyTests
{
    /// <summary>A port this server listens on, as the composition root would report it.</summary>
    private const int OwnPort = 8080;

    /// <summary>Any other port.</summary>
    private const int OtherPort = 9000;

    private sealed class FixedPorts(params int[] ports) : IOwnPorts
    {
        public IReadOnlyCollection<int> Ports { get; } = ports;
    }

    private static WebhookAddressPolicy Policy(string[]? allow = null, string[]? deny = null) =>
        new(new WebhookOptions { AllowHosts = [.. allow ?? []], DenyHosts = [.. deny ?? []] }, new FixedPorts(OwnPort));

    private static string? Refusal(WebhookAddressPolicy policy, string host, params string[] addresses) =>
        policy.Refusal(host, OtherPort, addresses.Select(IPAddress.Parse).ToList());

    [Fact]
    public void With_both_lists_empty_every_host_is_allowed_loopback_on_other_ports_included()
    {
        var policy = Policy();
        Assert.Null(Refusal(policy, "hooks.example.com", "203.0.113.5"));
        Assert.Null(Refusal(policy, "localhost", "127.0.0.1"));
        Assert.Null(Refusal(policy, "10.1.2.3", "10.1.2.3"));
    }

    [Fact]
    public void A_denied_host_name_is_refused_case_insensitively_and_only_that_name()
    {
        var policy = Policy(deny: ["internal.example.com"]);
        Assert.Contains("DenyHosts", Refusal(policy, "Internal.Example.COM", "203.0.113.5"));
        Assert.Null(Refusal(policy, "api.internal.example.com", "203.0.113.5"));
        Assert.Null(Refusal(policy, "example.com", "203.0.113.5"));
    }

    [Fact]
    public void A_wildcard_denies_sub_domains_at_any_depth_but_not_the_domain_itself_nor_a_lookalike()
    {
        var policy = Policy(deny: ["*.corp.example"]);
        Assert.NotNull(Refusal(policy, "a.corp.example", "203.0.113.5"));
        Assert.NotNull(Refusal(policy, "b.a.CORP.example", "203.0.113.5"));
        Assert.Null(Refusal(policy, "corp.example", "203.0.113.5"));
        Assert.Null(Refusal(policy, "evilcorp.example", "203.0.113.5"));
    }

    [Fact]
    public void Denied_addresses_and_networks_refuse_any_name_resolving_into_them_ipv4_mapped_included()
    {
        var policy = Policy(deny: ["10.0.0.0/8", "203.0.113.7", "fd00::/8"]);
        var refusal = Refusal(policy, "innocent.example.com", "198.51.100.1", "10.20.30.40");
        Assert.Contains("10.20.30.40", refusal);
        Assert.Contains("10.0.0.0/8", refusal);
        Assert.NotNull(Refusal(policy, "x.example.com", "203.0.113.7"));
        Assert.NotNull(Refusal(policy, "x.example.com", "::ffff:10.0.0.1"));
        Assert.NotNull(Refusal(policy, "v6.example.com", "fd12:3456::1"));
        Assert.Null(Refusal(policy, "x.example.com", "11.0.0.1", "203.0.113.8", "fe80::1"));
    }

    [Fact]
    public void An_allow_list_admits_named_hosts_and_hosts_all_of_whose_addresses_it_covers_and_refuses_the_rest()
    {
        var policy = Policy(allow: ["hooks.example.com", "*.partner.example", "192.0.2.0/24"]);
        Assert.Null(Refusal(policy, "hooks.example.com", "198.51.100.9")); // a name rule admits the name wherever it points
        Assert.Null(Refusal(policy, "eu.partner.example", "198.51.100.9"));
        Assert.Null(Refusal(policy, "anything.example.net", "192.0.2.1", "192.0.2.200"));
        var outside = Refusal(policy, "mixed.example.net", "192.0.2.1", "198.51.100.9");
        Assert.Contains("AllowHosts", outside);
        Assert.Contains("198.51.100.9", outside);
        Assert.Contains("AllowHosts", Refusal(policy, "other.example.com", "198.51.100.9"));
        Assert.NotNull(Refusal(policy, "partner.example", "198.51.100.9"));
    }

    [Fact]
    public void Deny_wins_over_allow()
    {
        var policy = Policy(allow: ["*.example.com", "203.0.113.0/24"], deny: ["bad.example.com", "203.0.113.66"]);
        Assert.Contains("DenyHosts", Refusal(policy, "bad.example.com", "203.0.113.1"));
        Assert.Contains("DenyHosts", Refusal(policy, "good.example.com", "203.0.113.66"));
        Assert.Null(Refusal(policy, "good.example.com", "203.0.113.1"));
    }

    [Fact]
    public void This_servers_own_ports_are_refused_on_this_machines_addresses_only()
    {
        var policy = Policy();
        foreach (var own in new[] { "127.0.0.1", "::1", "0.0.0.0", "::", "127.8.9.10" })
            Assert.Contains("own address", policy.Refusal("host", OwnPort, [IPAddress.Parse(own)]));
        // One of the host's addresses being this machine is enough.
        Assert.NotNull(policy.Refusal("split.example.com", OwnPort, [IPAddress.Parse("198.51.100.1"), IPAddress.Loopback]));
        Assert.Null(policy.Refusal("remote.example.com", OwnPort, [IPAddress.Parse("198.51.100.1")]));
        Assert.Null(policy.Refusal("localhost", OtherPort, [IPAddress.Loopback]));
        // An allow list does not admit the server's own port either.
        Assert.NotNull(Policy(allow: ["127.0.0.1"]).Refusal("127.0.0.1", OwnPort, [IPAddress.Loopback]));
    }

    [Theory]
    [InlineData("hooks.example.com")]
    [InlineData("*.example.com")]
    [InlineData("10.0.0.0/8")]
    [InlineData("203.0.113.7")]
    [InlineData("[::1]")]
    [InlineData("fd00::/8")]
    public void Each_form_of_entry_is_accepted(string entry) => Assert.Null(HostRule.Check(entry));

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("10.0.0.0/33")]
    [InlineData("not a host")]
    [InlineData("*.")]
    [InlineData("*.bad host")]
    [InlineData("http://example.com/")]
    public void Malformed_entries_are_refused_with_a_reason(string entry) => Assert.NotNull(HostRule.Check(entry));

    [Fact]
    public void Malformed_entries_fail_the_settings_check_naming_the_entry()
    {
        var errors = new GantryEngineOptions { Webhooks = new WebhookOptions { AllowHosts = ["ok.example.com", "10.0.0.0/99"], DenyHosts = ["bad host"] } }.Validate();
        Assert.Contains(errors, e => e.StartsWith("Gantry:Webhooks:AllowHosts:1:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Gantry:Webhooks:DenyHosts:0:", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("AllowHosts:0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_guard_refuses_a_denied_ip_literal_without_resolving_and_returns_an_allowed_one()
    {
        var guard = new WebhookAddressGuard(Policy(deny: ["192.0.2.0/24"]));
        var refused = await Assert.ThrowsAsync<WebhookAddressRefusedException>(() => guard.ResolveAsync("192.0.2.10", OtherPort, default));
        Assert.Contains("DenyHosts", refused.Message);
        Assert.Equal([IPAddress.Parse("198.51.100.3")], await guard.ResolveAsync("198.51.100.3", OtherPort, default));
        Assert.Equal([IPAddress.IPv6Loopback], await guard.ResolveAsync("[::1]", OtherPort, default));
    }
}
