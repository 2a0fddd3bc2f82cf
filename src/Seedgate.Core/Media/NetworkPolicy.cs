using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Seedgate.Core.Media;

/// <summary>
/// Decides which IP addresses Seedgate may connect to when it fetches a caller's reference URL.
/// By default only public unicast addresses are allowed, so a caller cannot make the server reach
/// loopback services, the cloud metadata endpoint or the operator's private network (SSRF).
/// Operators open holes with <c>AllowedNetworks</c> (CIDR) or, for trusted setups, <c>AllowPrivateNetworks</c>.
/// </summary>
public sealed class NetworkPolicy
{
    // Special-purpose ranges (IANA IPv4/IPv6 special-purpose registries) that must never be reached
    // on a caller's behalf. Kept as data so the table in the tests can mirror it.
    private static readonly IPNetwork[] RefusedV4 =
    [
        IPNetwork.Parse("0.0.0.0/8"),          // "this" network
        IPNetwork.Parse("10.0.0.0/8"),         // private
        IPNetwork.Parse("100.64.0.0/10"),      // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"),        // loopback
        IPNetwork.Parse("169.254.0.0/16"),     // link-local, including the cloud metadata endpoint
        IPNetwork.Parse("172.16.0.0/12"),      // private
        IPNetwork.Parse("192.0.0.0/24"),       // IETF protocol assignments
        IPNetwork.Parse("192.0.2.0/24"),       // TEST-NET-1
        IPNetwork.Parse("192.168.0.0/16"),     // private
        IPNetwork.Parse("198.18.0.0/15"),      // benchmarking
        IPNetwork.Parse("198.51.100.0/24"),    // TEST-NET-2
        IPNetwork.Parse("203.0.113.0/24"),     // TEST-NET-3
        IPNetwork.Parse("224.0.0.0/4"),        // multicast
        IPNetwork.Parse("240.0.0.0/4"),        // reserved, includes 255.255.255.255 broadcast
    ];

    private static readonly IPNetwork[] RefusedV6 =
    [
        // ::/96 covers :: (unspecified), ::1 (loopback) and the deprecated IPv4-compatible form
        // ::a.b.c.d, which some stacks still route to the embedded IPv4 address.
        IPNetwork.Parse("::/96"),
        IPNetwork.Parse("64:ff9b::/96"),       // NAT64: would reach any IPv4 address, private ones included
        IPNetwork.Parse("64:ff9b:1::/48"),     // local-use NAT64
        IPNetwork.Parse("100::/64"),           // discard-only
        IPNetwork.Parse("2001:db8::/32"),      // documentation
        IPNetwork.Parse("fc00::/7"),           // unique local
        IPNetwork.Parse("fe80::/10"),          // link-local
        IPNetwork.Parse("fec0::/10"),          // deprecated site-local, still private in practice
        IPNetwork.Parse("ff00::/8"),           // multicast
    ];

    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    private readonly IPNetwork[] _allowed;

    /// <summary>The default policy: public addresses only.</summary>
    public static NetworkPolicy PublicOnly { get; } = new(allowPrivateNetworks: false, allowedNetworks: []);

    /// <param name="allowPrivateNetworks">Allow every address (for trusted, closed deployments).</param>
    /// <param name="allowedNetworks">CIDR networks that are allowed even though they are not public, e.g. "127.0.0.1/32".</param>
    /// <exception cref="FormatException">An entry is not a CIDR network; the message names it.</exception>
    public NetworkPolicy(bool allowPrivateNetworks, IEnumerable<string> allowedNetworks)
    {
        ArgumentNullException.ThrowIfNull(allowedNetworks);
        AllowPrivateNetworks = allowPrivateNetworks;
        var parsed = new List<IPNetwork>();
        var index = 0;
        foreach (var entry in allowedNetworks)
        {
            var problem = TryParseNetwork(entry, out var network);
            if (problem is not null)
            {
                throw new FormatException($"Seedgate:Fetch:AllowedNetworks[{index}]: {problem}");
            }

            parsed.Add(network);
            index++;
        }

        _allowed = [.. parsed];
    }

    public bool AllowPrivateNetworks { get; }

    /// <summary>The allow-list as parsed (IPv4-mapped entries normalised to IPv4).</summary>
    public IReadOnlyList<IPNetwork> AllowedNetworks => _allowed;

    /// <summary>
    /// Parses one allow-list entry; returns null on success, else a sentence saying what is wrong.
    /// A bare address ("10.1.2.3") is accepted as a single-host network.
    /// </summary>
    public static string? TryParseNetwork(string? entry, out IPNetwork network)
    {
        network = default;
        var text = entry?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return "an empty entry is not a network; write a CIDR network such as 127.0.0.1/32.";
        }

        if (!text.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(text, out var single))
        {
            single = Normalize(single);
            network = new IPNetwork(single, single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return null;
        }

        // IPNetwork masks host bits ("10.0.0.1/8" becomes 10.0.0.0/8); refuse that instead, because the operator
        // may well have meant the single host and would silently open a whole network.
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0
            || !IPNetwork.TryParse(text, out network)
            || !IPAddress.TryParse(text.AsSpan(0, slash), out var written)
            || !written.Equals(network.BaseAddress))
        {
            return $"'{entry}' is not a CIDR network such as 127.0.0.1/32 or fd00::/8 "
                + "(the address must be valid and have no bits set beyond the prefix length).";
        }

        if (network.BaseAddress.IsIPv4MappedToIPv6 && network.PrefixLength >= 96)
        {
            network = new IPNetwork(network.BaseAddress.MapToIPv4(), network.PrefixLength - 96);
        }

        return null;
    }

    /// <summary>Whether Seedgate may connect to this address on a caller's behalf.</summary>
    public bool IsAllowed(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (AllowPrivateNetworks)
        {
            return true;
        }

        var normalized = Normalize(address);
        foreach (var network in _allowed)
        {
            if (network.Contains(normalized))
            {
                return true;
            }
        }

        return IsPublic(normalized);
    }

    /// <summary>Whether the address is public unicast (not in any special-purpose range).</summary>
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var normalized = Normalize(address);
        switch (normalized.AddressFamily)
        {
            case AddressFamily.InterNetwork:
                return !Array.Exists(RefusedV4, n => n.Contains(normalized));
            case AddressFamily.InterNetworkV6:
                if (Array.Exists(RefusedV6, n => n.Contains(normalized)))
                {
                    return false;
                }

                // 6to4 (2002:AABB:CCDD::/48) tunnels to the embedded IPv4 address; judge that one.
                if (SixToFour.Contains(normalized))
                {
                    Span<byte> bytes = stackalloc byte[16];
                    normalized.TryWriteBytes(bytes, out _);
                    return IsPublic(new IPAddress(bytes.Slice(2, 4)));
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>The loopback names that never reach DNS ("localhost" and "*.localhost", RFC 6761).</summary>
    public static bool IsLocalhostName(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = host.TrimEnd('.');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// An IPv4-mapped IPv6 address (::ffff:a.b.c.d) reaches the IPv4 host, so it is judged as that address;
    /// the scope id of a link-local address plays no part in the decision.
    /// </summary>
    private static IPAddress Normalize(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    public override string ToString() =>
        AllowPrivateNetworks
            ? "all networks allowed"
            : string.Create(CultureInfo.InvariantCulture, $"public networks + [{string.Join(", ", _allowed)}]");
}
