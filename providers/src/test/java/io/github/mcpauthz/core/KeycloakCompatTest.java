package io.github.mcpauthz.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import io.github.mcpauthz.core.KeycloakCompat.Capability;

import io.github.mcpauthz.core.KeycloakCompat.Api;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeycloakCompatTest {

    @ParameterizedTest
    @ValueSource(strings = {"26.4.0", "26.4.7", "26.4.7.redhat-00001", "26.5.6", "26.6.0", "26.6.9", "26.7.0", "26.7.3",
            "26.7.12", "26.7.3.redhat-00001", "26.7.3.Final", "26.7"})
    void versionsOf26Point4To26Point7AreInRange(String version) {
        assertTrue(KeycloakCompat.inRange(version), version);
    }

    @ParameterizedTest
    @ValueSource(strings = {"26.3.5", "26.4.0-SNAPSHOT", "26.4.0-rc1", "25.0.6", "22.0.0",
            "26.8.0", "27.0.0", "999.0.0-SNAPSHOT", "", "garbage", "26", "26.x.1"})
    void otherVersionsAreOutOfRange(String version) {
        assertFalse(KeycloakCompat.inRange(version), version);
    }

    @Test
    void nullVersionIsOutOfRange() {
        assertFalse(KeycloakCompat.inRange(null));
    }

    @Test
    void aSnapshotAfterTheLowestReleaseIsInRange() {
        // 26.7.4-SNAPSHOT is newer than 26.4.0 and still 26.7.
        assertTrue(KeycloakCompat.inRange("26.7.4-SNAPSHOT"));
    }

    @Test
    void inRangeWithEveryApiIsSupported() {
        assertNull(KeycloakCompat.unsupportedReason("26.7.3", List.of()));
    }

    @Test
    void outOfRangeNamesTheVersionAndTheRange() {
        String reason = KeycloakCompat.unsupportedReason("26.3.5", List.of());
        assertEquals("keycloak-mcp-authz is INACTIVE: Keycloak 26.3.5 is outside the supported range 26.4.0 to 26.7.x"
                + " (built against 26.7.3). MCP realms behave as plain Keycloak realms (no resource binding, no MCP"
                + " consent page, no MCP registration rules); run a Keycloak version in the supported range.", reason);
    }

    @Test
    void aMissingApiMakesEvenAnInRangeVersionUnsupportedAndIsNamed() {
        String reason = KeycloakCompat.unsupportedReason("26.7.3",
                List.of(new Api("org.example.Gone", "26.7.0"), new Api("org.example.Other#m()", "26.6.0")));
        assertTrue(reason.startsWith("keycloak-mcp-authz is INACTIVE: Keycloak 26.7.3 is in the supported range"
                + " 26.4.0 to 26.7.x (built against 26.7.3) and lacks org.example.Gone (Keycloak 26.7.0),"
                + " org.example.Other#m() (Keycloak 26.6.0). "), reason);
    }

    @Test
    void theKeycloakOfTheBuildHasEveryRequiredApi() {
        assertEquals(List.of(), KeycloakCompat.missing(KeycloakCompat.REQUIRED_APIS, getClass().getClassLoader()));
        assertTrue(KeycloakCompat.supported(), KeycloakCompat::unsupportedReason);
        assertEquals(KeycloakCompat.BUILT_AGAINST, KeycloakCompat.keycloakVersion());
    }

    @Test
    void theKeycloakOfTheBuildHasEveryCapabilitySoThe26Point7PathsAreUsed() {
        assertEquals(EnumSet.allOf(Capability.class), KeycloakCompat.capabilities(getClass().getClassLoader()));
        for (Capability c : Capability.values()) {
            assertTrue(KeycloakCompat.has(c), c.name());
        }
    }

    @Test
    void aHiddenClassTurnsOffOnlyTheCapabilitiesThatNeedIt() {
        ClassLoader without26Point7Checks = hiding(getClass().getClassLoader(),
                "org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointCheckProvider",
                "org.keycloak.protocol.oidc.token.TokenPostProcessor");
        Set<Capability> present = KeycloakCompat.capabilities(without26Point7Checks);
        Set<Capability> expected = EnumSet.allOf(Capability.class);
        expected.remove(Capability.AUTHORIZATION_CHECK_SPI);
        expected.remove(Capability.TOKEN_POST_PROCESSOR);
        assertEquals(expected, present);
        // The base APIs every fallback needs are still there: the extension stays active.
        assertEquals(List.of(), KeycloakCompat.missing(KeycloakCompat.REQUIRED_APIS, without26Point7Checks));
    }

    @Test
    void aCapabilityIsOffWhenAnyOfItsApisIsMissingIncludingConstructors() {
        ClassLoader noIdJagValidationContext = hiding(getClass().getClassLoader(),
                "org.keycloak.protocol.oidc.JWTAuthorizationGrantValidationContext");
        assertFalse(KeycloakCompat.capabilities(noIdJagValidationContext).contains(Capability.JWT_AUTHORIZATION_GRANT));
    }

    @Test
    void protectedMethodsCount() {
        // ClientCredentialsGrantType#useRefreshToken() is protected: found through the declared methods.
        assertEquals(List.of(), KeycloakCompat.missing(List.of(new Api(
                "org.keycloak.protocol.oidc.grants.ClientCredentialsGrantType#useRefreshToken()", "26.5.0")),
                getClass().getClassLoader()));
    }

    @Test
    void theStartUpLineNamesEachMissingCapabilityWithItsFallback() {
        Set<Capability> present = EnumSet.allOf(Capability.class);
        present.remove(Capability.JWT_AUTHORIZATION_GRANT);
        present.remove(Capability.AUTHORIZATION_CHECK_SPI);
        String line = KeycloakCompat.activeSummary("26.5.6", present);
        assertTrue(line.startsWith("keycloak-mcp-authz: Keycloak 26.5.6 is in the supported range 26.4.0 to 26.7.x;"
                + " MCP support is active. Capabilities on: TOKEN_POST_PROCESSOR, "), line);
        assertTrue(line.contains("Missing, with fallback: AUTHORIZATION_CHECK_SPI (Keycloak 26.7.0): the MCP authorization"
                + " checks run as the client-policy executor mcp-authorization-checks"), line);
        assertTrue(line.contains("; JWT_AUTHORIZATION_GRANT (Keycloak 26.7.0): ID-JAG (the MCP enterprise-managed"
                + " authorization grant) is off."), line);
        assertEquals(-1, KeycloakCompat.activeSummary("26.7.3", EnumSet.allOf(Capability.class)).indexOf("Missing"));
    }

    /** A class loader that does not know {@code hidden}: what an older Keycloak looks like for those classes. */
    private static ClassLoader hiding(ClassLoader parent, String... hidden) {
        Set<String> names = Set.of(hidden);
        return new ClassLoader(parent) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (names.contains(name)) {
                    throw new ClassNotFoundException(name);
                }
                return super.loadClass(name, resolve);
            }
        };
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
