package io.github.mcpauthz.cimd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpecialUseAddressesTest {

    @ParameterizedTest(name = "{0} is special-use")
    @ValueSource(strings = {
            "127.0.0.1", "127.255.255.254", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
            "100.64.0.1", "100.127.255.255", "0.0.0.0", "224.0.0.251", "239.255.255.250", "255.255.255.255", "192.0.2.10",
            "198.18.0.1", "240.0.0.1", "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "2001:db8::1",
            "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "::7f00:1", "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::", "2002:a9fe:a9fe::1",
            // every block of the IPv4 registry, multicast and reserved
            "0.1.2.3", "10.255.255.255", "100.64.0.0", "127.0.0.0", "169.254.0.1", "172.20.1.1", "192.0.0.1",
            "192.0.0.8", "192.0.0.170", "192.0.0.255", "192.0.2.255", "192.31.196.1", "192.52.193.1", "192.88.99.1",
            "192.88.99.2", "192.168.255.255", "192.175.48.1", "198.19.255.255", "198.51.100.1", "203.0.113.255",
            "224.0.0.1", "239.0.0.1", "250.1.2.3", "255.255.255.254",
            // every block of the IPv6 registry, the deprecated ones, multicast, outside 2000::/3
            "::2", "::a00:1", "::ffff:0:a00:1", "::ffff:0:808:808", "::ffff:0:7f00:1", "64:ff9b:1::1", "64:ff9b:1::808:808",
            "64:ff9b::a00:1", "64:ff9b::7f00:1", "64:ff9b::c0a8:101", "100::1", "100:0:0:1::1", "2001::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001:1::1", "2001:2::1", "2001:3::1", "2001:4:112::1", "2001:10::1",
            "2001:20::1", "2001:30::1", "2001:1ff:ffff::1", "2001:db8:ffff::1", "2002:808:808::1", "2620:4f:8000::1",
            "3fff::1", "3fff:fff::1", "5f00::1", "fc00::", "fdff::1", "fe80::a", "febf::1", "fec0::1", "feff::1",
            "ff00::", "ff0e::1", "4000::1", "8000::1", "1::1", "a00::1"
    })
    void specialUse(String literal) throws Exception {
        assertTrue(SpecialUseAddresses.isSpecialUse(InetAddress.getByName(literal)));
    }

    @ParameterizedTest(name = "{0} is public")
    @ValueSource(strings = {
            "93.184.215.14", "8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "11.0.0.1", "2606:4700::1111",
            "2a00:1450:4001::200e", "::ffff:8.8.8.8", "64:ff9b::808:808", "2001:200::1", "2620:4f:7fff::1", "3fff:1000::1",
            "2c0f:fb50::1", "223.255.255.255", "192.0.1.255", "192.88.100.1", "198.20.0.1", "100.63.255.255"
    })
    void publicAddresses(String literal) throws Exception {
        assertFalse(SpecialUseAddresses.isSpecialUse(InetAddress.getByName(literal)));
    }

    @Test
    void allowedRangesCoverMappedForms() throws Exception {
        List<SpecialUseAddresses.Range> loopback = List.of(SpecialUseAddresses.Range.parse("127.0.0.0/8"));
        assertTrue(SpecialUseAddresses.isAllowed(InetAddress.getByName("127.0.0.1"), loopback));
        assertTrue(SpecialUseAddresses.isAllowed(InetAddress.getByName("::ffff:127.0.0.1"), loopback));
        assertFalse(SpecialUseAddresses.isAllowed(InetAddress.getByName("10.0.0.1"), loopback));
        assertFalse(SpecialUseAddresses.isAllowed(InetAddress.getByName("::1"), loopback));
    }

    /** IPv4 inside IPv6 forms counts for an admin's allowance, for development. */
    @Test
    void allowedRangesCoverEmbeddedIpv4() throws Exception {
        List<SpecialUseAddresses.Range> loopback = List.of(SpecialUseAddresses.Range.parse("127.0.0.0/8"));
        assertTrue(SpecialUseAddresses.isAllowed(InetAddress.getByName("::ffff:0:7f00:1"), loopback));
        assertTrue(SpecialUseAddresses.isAllowed(InetAddress.getByName("64:ff9b::7f00:1"), loopback));
        assertFalse(SpecialUseAddresses.isAllowed(InetAddress.getByName("64:ff9b::a00:1"), loopback));
    }

    @Test
    void ipv6RangesMayBeWrittenInMappedForm() {
        SpecialUseAddresses.Range mapped = SpecialUseAddresses.Range.parse("::ffff:0:0/96");
        assertTrue(mapped.contains(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1}));
    }

    @Test
    void rangesAreLiteralsOnly() {
        assertThrows(IllegalArgumentException.class, () -> SpecialUseAddresses.Range.parse("localhost/8"));
        assertThrows(IllegalArgumentException.class, () -> SpecialUseAddresses.Range.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> SpecialUseAddresses.Range.parse("example.com"));
    }
}
