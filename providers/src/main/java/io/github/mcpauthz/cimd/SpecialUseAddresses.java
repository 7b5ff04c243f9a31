package io.github.mcpauthz.cimd;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Special-use IP address ranges (RFC 6890 and its updates) that a client ID metadata document must never be
 * fetched from (CIMD draft §6, SSRF): loopback, private, link-local (incl. cloud metadata 169.254.169.254),
 * shared/CGNAT, multicast, documentation, benchmarking, reserved, IPv6 unique-local and link-local, and the IPv4
 * ranges again in IPv4-mapped, IPv4-compatible, NAT64 and 6to4 form.
 */
public final class SpecialUseAddresses {

    /** An address range in CIDR notation. */
    public record Range(byte[] network, int prefix, String text) {

        public static Range parse(String cidr) {
            String[] parts = cidr.strip().split("/", 2);
            try {
                InetAddress address = InetAddress.getByName(literal(parts[0]));
                int max = address.getAddress().length * 8;
                int prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : max;
                if (prefix < 0 || prefix > max) {
                    throw new IllegalArgumentException("invalid prefix length in " + cidr);
                }
                return new Range(address.getAddress(), prefix, cidr.strip());
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

    private static final List<Range> V4 = ranges(
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24", "192.168.0.0/16",
            "192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
            "255.255.255.255/32");

    private static final List<Range> V6 = ranges(
            "::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "fc00::/7",
            "fe80::/10", "fec0::/10", "ff00::/8");

    private SpecialUseAddresses() {
    }

    private static List<Range> ranges(String... cidrs) {
        List<Range> out = new ArrayList<>();
        for (String c : cidrs) {
            out.add(Range.parse(c));
        }
        return List.copyOf(out);
    }

    /** True when the address is special-use, directly or through an IPv6 form that embeds an IPv4 address. */
    public static boolean isSpecialUse(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            return V4.stream().anyMatch(r -> r.contains(bytes));
        }
        if (address instanceof Inet6Address) {
            byte[] embedded = embeddedIpv4(bytes);
            if (embedded != null) {
                return V4.stream().anyMatch(r -> r.contains(embedded));
            }
            return V6.stream().anyMatch(r -> r.contains(bytes));
        }
        return true;
    }

    /** True when the address is in one of the ranges an admin allowed (for development). */
    public static boolean isAllowed(InetAddress address, List<Range> allowed) {
        byte[] bytes = address.getAddress();
        byte[] embedded = address instanceof Inet6Address ? embeddedIpv4(bytes) : null;
        return allowed.stream().anyMatch(r -> r.contains(bytes) || (embedded != null && r.contains(embedded)));
    }

    /**
     * The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96)
     * or 6to4 (2002::/16) IPv6 address; null otherwise.
     */
    static byte[] embeddedIpv4(byte[] v6) {
        boolean zeros80 = true;
        for (int i = 0; i < 10; i++) {
            zeros80 &= v6[i] == 0;
        }
        if (zeros80 && ((v6[10] == (byte) 0xff && v6[11] == (byte) 0xff) || (v6[10] == 0 && v6[11] == 0))) {
            byte[] v4 = new byte[] {v6[12], v6[13], v6[14], v6[15]};
            // :: and ::1 are IPv6 special addresses, not IPv4-compatible ones.
            if (v6[10] == 0 && v4[0] == 0 && v4[1] == 0 && v4[2] == 0 && (v4[3] == 0 || v4[3] == 1)) {
                return null;
            }
            return v4;
        }
        if (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == (byte) 0xff && v6[3] == (byte) 0x9b) {
            boolean zeros = true;
            for (int i = 4; i < 12; i++) {
                zeros &= v6[i] == 0;
            }
            if (zeros) {
                return new byte[] {v6[12], v6[13], v6[14], v6[15]};
            }
        }
        if (v6[0] == 0x20 && v6[1] == 0x02) {
            return new byte[] {v6[2], v6[3], v6[4], v6[5]};
        }
        return null;
    }
}
