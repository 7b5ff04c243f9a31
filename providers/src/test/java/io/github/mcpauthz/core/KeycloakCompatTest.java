package io.github.mcpauthz.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import io.github.mcpauthz.core.KeycloakCompat.Api;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeycloakCompatTest {

    @ParameterizedTest
    @ValueSource(strings = {"26.7.0", "26.7.3", "26.7.12", "26.7.3.redhat-00001", "26.7.3.Final", "26.7"})
    void versionsOf26Point7AreInRange(String version) {
        assertTrue(KeycloakCompat.inRange(version), version);
    }

    @ParameterizedTest
    @ValueSource(strings = {"26.4.7", "26.4.7.redhat-00001", "26.5.6", "26.6.0", "26.6.9", "25.0.6", "22.0.0",
            "26.8.0", "27.0.0", "26.7.0-SNAPSHOT", "26.7.0-rc1", "999.0.0-SNAPSHOT", "", "garbage", "26", "26.x.1"})
    void otherVersionsAreOutOfRange(String version) {
        assertFalse(KeycloakCompat.inRange(version), version);
    }

    @Test
    void nullVersionIsOutOfRange() {
        assertFalse(KeycloakCompat.inRange(null));
    }

    @Test
    void aSnapshotAfterTheLowestReleaseIsInRange() {
        // 26.7.4-SNAPSHOT is newer than 26.7.0 and still 26.7.
        assertTrue(KeycloakCompat.inRange("26.7.4-SNAPSHOT"));
    }

    @Test
    void inRangeWithEveryApiIsSupported() {
        assertNull(KeycloakCompat.unsupportedReason("26.7.3", List.of()));
    }

    @Test
    void outOfRangeNamesTheVersionAndTheRange() {
        String reason = KeycloakCompat.unsupportedReason("26.4.7", List.of());
        assertEquals("keycloak-mcp-authz is INACTIVE: Keycloak 26.4.7 is outside the supported range 26.7.0 to 26.7.x"
                + " (built against 26.7.3). MCP realms behave as plain Keycloak realms (no resource binding, no MCP"
                + " consent page, no MCP registration rules); run a Keycloak version in the supported range.", reason);
    }

    @Test
    void aMissingApiMakesEvenAnInRangeVersionUnsupportedAndIsNamed() {
        String reason = KeycloakCompat.unsupportedReason("26.7.3",
                List.of(new Api("org.example.Gone", "26.7.0"), new Api("org.example.Other#m()", "26.6.0")));
        assertTrue(reason.startsWith("keycloak-mcp-authz is INACTIVE: Keycloak 26.7.3 is in the supported range"
                + " 26.7.0 to 26.7.x (built against 26.7.3) and lacks org.example.Gone (Keycloak 26.7.0),"
                + " org.example.Other#m() (Keycloak 26.6.0). "), reason);
    }

    @Test
    void theKeycloakOfTheBuildHasEveryRequiredApi() {
        assertEquals(List.of(), KeycloakCompat.missing(KeycloakCompat.REQUIRED_APIS, getClass().getClassLoader()));
        assertTrue(KeycloakCompat.supported(), KeycloakCompat::unsupportedReason);
        assertEquals(KeycloakCompat.BUILT_AGAINST, KeycloakCompat.keycloakVersion());
    }

    @Test
    void missingClassesAndMethodsAreFound() {
        List<Api> apis = List.of(
                new Api("java.lang.String", "1"),
                new Api("java.lang.String#isBlank()", "11"),
                new Api("java.lang.String#noSuchMethod()", "x"),
                new Api("java.lang.String#indexOf(java.lang.String,int)", "1"),
                new Api("java.lang.String#indexOf(java.lang.String,java.lang.String)", "y"),
                new Api("org.example.NoSuchClass", "z"),
                new Api("org.example.NoSuchClass#m()", "w"));
        assertEquals(List.of("java.lang.String#noSuchMethod()",
                        "java.lang.String#indexOf(java.lang.String,java.lang.String)",
                        "org.example.NoSuchClass", "org.example.NoSuchClass#m()"),
                KeycloakCompat.missing(apis, getClass().getClassLoader()).stream().map(Api::name).toList());
    }
}
