using System.Net;
using Seedgate.Core.Media;

namespace Seedgate.Core.Tests.Fetch;

public sealed class NetworkPolicyTests
{
    [Theory]
    // IPv4 special-purpose ranges: first, inner and last address where it matters.
    [InlineData("0.0.0.0")]
    [InlineData("0.255.255.255")]
    [InlineData("10.0.0.1")]
    [InlineData("10.255.255.255")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("169.254.169.254")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.0.0.8")]
    [InlineData("192.0.2.33")]
    [InlineData("192.168.1.1")]
    [InlineData("198.18.0.1")]
    [InlineData("198.19.255.255")]
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.200")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    // IPv6.
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("fe80::1")]
    [InlineData("fe80::1%2")]
    [InlineData("febf::1")]
    [InlineData("ff02::1")]
    [InlineData("2001:db8::1")]
    [InlineData("64:ff9b::a00:1")]
    [InlineData("64:ff9b::808:808")]
    // IPv4-mapped IPv6 is judged as the IPv4 address.
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.1.2.3")]
    [InlineData("::ffff:169.254.169.254")]
    // Deprecated IPv4-compatible form and 6to4 wrapping a private address.
    [InlineData("::127.0.0.1")]
    [InlineData("2002:7f00:1::1")]
    public void Refuses_non_public_addresses_by_default(string address)
    {
        var ip = IPAddress.Parse(address);
        Assert.False(NetworkPolicy.PublicOnly.IsAllowed(ip), $"{address} should be refused");
        Assert.False(NetworkPolicy.IsPublic(ip));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("9.255.255.255")]
    [InlineData("11.0.0.0")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("192.0.1.1")]
    [InlineData("192.169.0.1")]
    [InlineData("198.20.0.1")]
    [InlineData("223.255.255.255")]
    [InlineData("2606:4700::1111")]
    [InlineData("2a00:1450:4001:81a::200e")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("2002:808:808::1")]
    public void Allows_public_addresses(string address)
    {
        Assert.True(NetworkPolicy.PublicOnly.IsAllowed(IPAddress.Parse(address)), $"{address} should be allowed");
    }

    [Fact]
    public void Allow_list_opens_exactly_the_listed_network()
    {
        var policy = new NetworkPolicy(allowPrivateNetworks: false, ["127.0.0.1/32"]);

        Assert.True(policy.IsAllowed(IPAddress.Parse("127.0.0.1")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("127.0.0.2")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("10.0.0.1")));
        Assert.False(policy.IsAllowed(IPAddress.IPv6Loopback));
        Assert.True(policy.IsAllowed(IPAddress.Parse("8.8.8.8")));
    }

    [Fact]
    public void Allow_list_accepts_ipv6_networks_bare_addresses_and_mapped_entries()
    {
        var policy = new NetworkPolicy(allowPrivateNetworks: false, ["fd00::/8", "10.9.8.7", "::ffff:192.168.0.0/112"]);

        Assert.True(policy.IsAllowed(IPAddress.Parse("fd00::42")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("fe80::1")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("10.9.8.7")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("10.9.8.6")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("192.168.44.1")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("172.16.0.1")));
    }

    [Fact]
    public void AllowPrivateNetworks_allows_everything()
    {
        var policy = new NetworkPolicy(allowPrivateNetworks: true, []);

        Assert.True(policy.IsAllowed(IPAddress.Loopback));
        Assert.True(policy.IsAllowed(IPAddress.Parse("169.254.169.254")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("fd00::1")));
    }

    [Theory]
    [InlineData("banana")]
    [InlineData("127.0.0.1/33")]
    [InlineData("10.0.0.1/8")]
    [InlineData("300.0.0.0/8")]
    [InlineData("")]
    public void Malformed_allow_list_entry_is_refused_with_its_position(string entry)
    {
        var ex = Assert.Throws<FormatException>(() => new NetworkPolicy(false, ["127.0.0.1/32", entry]));

        Assert.Contains("AllowedNetworks[1]", ex.Message);
        Assert.Contains("127.0.0.1/32", ex.Message); // the message shows what a valid entry looks like
    }
}
