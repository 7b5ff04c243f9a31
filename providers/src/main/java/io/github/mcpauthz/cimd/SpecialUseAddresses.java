package io.github.mcpauthz.cimd;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * IP addresses a client ID metadata document must never be fetched from (CIMD draft §6, SSRF): every block of the
 * IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and the RFCs that added blocks since), multicast,
 * the deprecated IPv6 blocks, and every IPv6 address outside global unicast {@code 2000::/3}.
 *
 * <p>IPv6 forms that carry an IPv4 address:
 * <ul>
 *   <li>IPv4-mapped {@code ::ffff:0:0/96}, IPv4-compatible {@code ::/96}, IPv4-translated {@code ::ffff:0:0:0/96}:
 *       never global (registry: "Global: False"; compatible is deprecated, translated is internal to SIIT), refused
 *       whatever IPv4 address they carry;</li>
 *   <li>the NAT64 well-known prefix {@code 64:ff9b::/96} (RFC 6052, "Global: True"): on an IPv6-only network with
 *       DNS64 every public name resolves into it, so it is accepted exactly when the IPv4 address it carries
 *       (the last 32 bits) is not special-use;</li>
 *   <li>local-use NAT64 {@code 64:ff9b:1::/48} (RFC 8215), 6to4 {@code 2002::/16} (RFC 3056, relays deprecated by
 *       RFC 7526) and Teredo {@code 2001::/32} (RFC 4380): refused whole. They reach an arbitrary IPv4 host through a
 *       translator or relay, and no real document host needs them.</li>
 * </ul>
 * An admin's allowance ({@link #isAllowed}) also matches the IPv4 address inside these forms, so that
 * {@code 127.0.0.0/8} admits {@code ::ffff:127.0.0.1} in development.
 */
public final class SpecialUseAddresses {

    /** An address range in CIDR notation. */
    public record Range(byte[] network, int prefix, String text) {

        public static Range parse(String cidr) {
            String[] parts = cidr.strip().split("/", 2);
            try {
                InetAddress address = InetAddress.getByName(literal(parts[0]));
                byte[] bytes = address.getAddress();
                if (parts[0].contains(":") && bytes.length == 4) {
                    // Java turns ::ffff:a.b.c.d into an IPv4 address; keep the IPv6 form the range was written in.
                    byte[] v6 = new byte[16];
                    v6[10] = (byte) 0xff;
                    v6[11] = (byte) 0xff;
                    System.arraycopy(bytes, 0, v6, 12, 4);
                    bytes = v6;
                }
                int max = bytes.length * 8;
                int prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : max;
                if (prefix < 0 || prefix > max) {
                    throw new IllegalArgumentException("invalid prefix length in " + cidr);
                }
                return new Range(bytes, prefix, cidr.strip());
            } catch (UnknownHostException | NumberFormatException e) {
                throw new IllegalArgumentException("not an IP range: " + cidr);
            }
        }

        private static String literal(String s) {
            // Only IP literals: refuse anything InetAddress would resolve through DNS.
            if (!s.matches("[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("not an IP literal: " + s);
            }
            return s;
        }

        public boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    /**
     * IPv4. Source "IPv4 registry" = IANA IPv4 Special-Purpose Address Registry (iana-ipv4-special-registry, RFC 6890
     * and updates); a block listed there with sub-blocks (192.0.0.0/24) is refused whole, sub-blocks included.
     */
    static final List<Range> V4 = ranges(
            "0.0.0.0/8",          // IPv4 registry: "This network" [RFC 791]; 0.0.0.0/32 "This host" [RFC 1122]
            "10.0.0.0/8",         // IPv4 registry: Private-Use [RFC 1918]
            "100.64.0.0/10",      // IPv4 registry: Shared Address Space (CGNAT) [RFC 6598]
            "127.0.0.0/8",        // IPv4 registry: Loopback [RFC 1122]
            "169.254.0.0/16",     // IPv4 registry: Link Local [RFC 3927] (cloud metadata 169.254.169.254)
            "172.16.0.0/12",      // IPv4 registry: Private-Use [RFC 1918]
            "192.0.0.0/24",       // IPv4 registry: IETF Protocol Assignments [RFC 6890], with 192.0.0.0/29 DS-Lite
                                  //   [RFC 7335], .8/32 dummy [RFC 7600], .9/32 PCP anycast [RFC 7723], .10/32 TURN
                                  //   anycast [RFC 8155], .170/32 and .171/32 NAT64/DNS64 discovery [RFC 7050, 8880]
            "192.0.2.0/24",       // IPv4 registry: Documentation TEST-NET-1 [RFC 5737]
            "192.31.196.0/24",    // IPv4 registry: AS112-v4 [RFC 7535]
            "192.52.193.0/24",    // IPv4 registry: AMT [RFC 7450]
            "192.88.99.0/24",     // IPv4 registry: Deprecated 6to4 Relay Anycast [RFC 7526] (192.88.99.2/32 6a44 [RFC 6751])
            "192.168.0.0/16",     // IPv4 registry: Private-Use [RFC 1918]
            "192.175.48.0/24",    // IPv4 registry: Direct Delegation AS112 Service [RFC 7534]
            "198.18.0.0/15",      // IPv4 registry: Benchmarking [RFC 2544]
            "198.51.100.0/24",    // IPv4 registry: Documentation TEST-NET-2 [RFC 5737]
            "203.0.113.0/24",     // IPv4 registry: Documentation TEST-NET-3 [RFC 5737]
            "224.0.0.0/4",        // not in the registry: Multicast [RFC 5771] (IANA IPv4 Multicast Address Space)
            "240.0.0.0/4",        // IPv4 registry: Reserved [RFC 1112]
            "255.255.255.255/32"  // IPv4 registry: Limited Broadcast [RFC 8190, RFC 919]
    );

    /**
     * IPv6. Source "IPv6 registry" = IANA IPv6 Special-Purpose Address Registry (iana-ipv6-special-registry, RFC 6890
     * and updates). Addresses outside {@code 2000::/3} are refused anyway ({@link #GLOBAL_UNICAST}); the blocks
     * outside it are listed too, so the table says what each one is.
     */
    static final List<Range> V6 = ranges(
            "::/128",             // IPv6 registry: Unspecified Address [RFC 4291]
            "::1/128",            // IPv6 registry: Loopback Address [RFC 4291]
            "::/96",              // not in the registry: IPv4-compatible, deprecated [RFC 4291 §2.5.5.1]
            "::ffff:0:0/96",      // IPv6 registry: IPv4-mapped Address [RFC 4291]
            "::ffff:0:0:0/96",    // not in the registry: IPv4-translated [RFC 2765 §2.1, RFC 6145]
            "64:ff9b:1::/48",     // IPv6 registry: IPv4-IPv6 Translat., local use [RFC 8215]
            "100::/64",           // IPv6 registry: Discard-Only Address Block [RFC 6666]
            "100:0:0:1::/64",     // IPv6 registry: Dummy IPv6 Prefix [RFC 9780]
            "2001::/23",          // IPv6 registry: IETF Protocol Assignments [RFC 2928], refused whole: TEREDO
                                  //   2001::/32 [RFC 4380], PCP/TURN/DNS-SD anycast 2001:1::1-3, Benchmarking
                                  //   2001:2::/48 [RFC 5180], AMT 2001:3::/32 [RFC 7450], AS112-v6 2001:4:112::/48
                                  //   [RFC 7535], ORCHID 2001:10::/28, ORCHIDv2 2001:20::/28 [RFC 7343], DETs
                                  //   2001:30::/28 [RFC 9374]
            "2001:db8::/32",      // IPv6 registry: Documentation [RFC 3849]
            "2002::/16",          // IPv6 registry: 6to4 [RFC 3056]; refused whole (see the class comment)
            "2620:4f:8000::/48",  // IPv6 registry: Direct Delegation AS112 Service [RFC 7534]
            "3fff::/20",          // IPv6 registry: Documentation [RFC 9637]
            "5f00::/16",          // IPv6 registry: Segment Routing (SRv6) SIDs [RFC 9602]
            "fc00::/7",           // IPv6 registry: Unique-Local [RFC 4193, RFC 8190]
            "fe80::/10",          // IPv6 registry: Link-Local Unicast [RFC 4291]
            "fec0::/10",          // not in the registry: Site-Local, deprecated [RFC 3879]
            "ff00::/8"            // not in the registry: Multicast [RFC 4291 §2.7]
    );

    /** IPv4-IPv6 Translat. well-known prefix [RFC 6052], IPv6 registry "Global: True": checked by its IPv4 address. */
    static final Range NAT64_WELL_KNOWN = Range.parse("64:ff9b::/96");

    /** Global Unicast [RFC 4291 §2.4, IANA IPv6 Address Space]: all else is reserved, local or multicast. */
    static final Range GLOBAL_UNICAST = Range.parse("2000::/3");

    private static final Range MAPPED = Range.parse("::ffff:0:0/96");
    private static final Range COMPATIBLE = Range.parse("::/96");
    private static final Range TRANSLATED = Range.parse("::ffff:0:0:0/96");

    private SpecialUseAddresses() {
    }

    private static List<Range> ranges(String... cidrs) {
        List<Range> out = new ArrayList<>();
        for (String c : cidrs) {
            out.add(Range.parse(c));
        }
        return List.copyOf(out);
    }

    /** True when the address is special-use (see the class comment); unknown address kinds are special-use. */
    public static boolean isSpecialUse(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            return isSpecialUseIpv4(bytes);
        }
        if (address instanceof Inet6Address) {
            return isSpecialUseIpv6(bytes);
        }
        return true;
    }

    static boolean isSpecialUseIpv4(byte[] v4) {
        return V4.stream().anyMatch(r -> r.contains(v4));
    }

    static boolean isSpecialUseIpv6(byte[] v6) {
        if (v6.length != 16) {
            return true;
        }
        if (NAT64_WELL_KNOWN.contains(v6)) {
            return isSpecialUseIpv4(last32(v6));
        }
        return !GLOBAL_UNICAST.contains(v6) || V6.stream().anyMatch(r -> r.contains(v6));
    }

    /** True when the address, or the IPv4 address an IPv6 form carries, is in one of the ranges an admin allowed. */
    public static boolean isAllowed(InetAddress address, List<Range> allowed) {
        byte[] bytes = address.getAddress();
        byte[] embedded = address instanceof Inet6Address ? embeddedIpv4(bytes) : null;
        return allowed.stream().anyMatch(r -> r.contains(bytes) || (embedded != null && r.contains(embedded)));
    }

    /**
     * The IPv4 address inside an IPv4-mapped, IPv4-translated, IPv4-compatible (not {@code ::} or {@code ::1}),
     * NAT64 ({@code 64:ff9b::/96}) or 6to4 ({@code 2002::/16}) IPv6 address; null otherwise.
     */
    static byte[] embeddedIpv4(byte[] v6) {
        if (v6.length != 16) {
            return null;
        }
        if (MAPPED.contains(v6) || TRANSLATED.contains(v6) || NAT64_WELL_KNOWN.contains(v6)) {
            return last32(v6);
        }
        if (COMPATIBLE.contains(v6)) {
            byte[] v4 = last32(v6);
            boolean unspecifiedOrLoopback = v4[0] == 0 && v4[1] == 0 && v4[2] == 0 && (v4[3] == 0 || v4[3] == 1);
            return unspecifiedOrLoopback ? null : v4;
        }
        if (v6[0] == 0x20 && v6[1] == 0x02) {
            return new byte[] {v6[2], v6[3], v6[4], v6[5]};
        }
        return null;
    }

    private static byte[] last32(byte[] v6) {
        return new byte[] {v6[12], v6[13], v6[14], v6[15]};
    }
}
