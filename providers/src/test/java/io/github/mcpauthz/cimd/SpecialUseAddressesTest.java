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
            "2002:7f00:1::", "2002:a9fe:a9fe::1"
    })
    void specialUse(String literal) throws Exception {
        assertTrue(SpecialUseAddresses.isSpecialUse(InetAddress.getByName(literal)));
    }

    @ParameterizedTest(name = "{0} is public")
    @ValueSource(strings = {
            "93.184.215.14", "8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "11.0.0.1", "2606:4700::1111",
            "2a00:1450:4001::200e", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"
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

    @Test
    void rangesAreLiteralsOnly() {
        assertThrows(IllegalArgumentException.class, () -> SpecialUseAddresses.Range.parse("localhost/8"));
        assertThrows(IllegalArgumentException.class, () -> SpecialUseAddresses.Range.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> SpecialUseAddresses.Range.parse("example.com"));
    }
}
