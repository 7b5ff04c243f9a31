package io.github.mcpauthz.core.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rate-limit source of an address: IPv4 as it is, IPv6 by its /64. */
class DynamicClientLimitsTest {

    @ParameterizedTest
    @CsvSource({
            "203.0.113.7, 203.0.113.7",
            "2001:db8:1:2:3:4:5:6, 20010db800010002::/64",
            "2001:db8:1:2:ffff:ffff:ffff:ffff, 20010db800010002::/64",
            "[2001:db8:1:2::1], 20010db800010002::/64",
            "2001:DB8:1:2::9, 20010db800010002::/64",
            "fe80::1%eth0, fe800000000000000::/64",
            "::ffff:203.0.113.7, 203.0.113.7",
            "0:0:0:0:0:0:0:1, 0000000000000000::/64",
            "unknown, unknown"})
    void sourceKeys(String address, String key) {
        assertEquals(key.replace("fe800000000000000", "fe80000000000000"), DynamicClientLimits.sourceKey(address));
    }

    @Test
    void addressesOfOneSlash64ShareACounterAndNeighboursDoNot() {
        assertEquals(DynamicClientLimits.sourceKey("2001:db8:aa:bb::1"), DynamicClientLimits.sourceKey("2001:db8:aa:bb:1234::99"));
        assertNotEquals(DynamicClientLimits.sourceKey("2001:db8:aa:bb::1"), DynamicClientLimits.sourceKey("2001:db8:aa:bc::1"));
        assertNotEquals(DynamicClientLimits.sourceKey("203.0.113.7"), DynamicClientLimits.sourceKey("203.0.113.8"));
    }
}
