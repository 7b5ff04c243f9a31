package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.AuthorizationResponse;
import io.github.mcpauthz.it.support.CimdAuthorization;
import io.github.mcpauthz.it.support.CimdDocumentServer;
import io.github.mcpauthz.it.support.CimdDocumentServer.Response;
import io.github.mcpauthz.it.support.CimdDocuments;
import io.github.mcpauthz.it.support.CimdRealm;
import io.github.mcpauthz.it.support.CimdSetup;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * SSRF (CIMD draft §6): Keycloak must not fetch a metadata document from a special-use address (RFC 6890: loopback,
 * "this network", IPv4-mapped loopback, …) unless an admin allowed that range for development. The refusal says
 * "special-use address", and the local server, which listens on those addresses and would serve a valid document,
 * sees no request at all.
 *
 * <p>The realm keeps the default {@code allowed-address-ranges} (empty).
 */
@KeycloakIT
class CimdSsrfIT {

    private static final String CALLBACK = "http://127.0.0.1/callback";

    private static KeycloakEnvironment keycloak;
    private static CimdDocumentServer server;
    private static CimdRealm realm;

    @BeforeAll
    static void createRealmAndServer(KeycloakEnvironment environment) {
        keycloak = environment;
        server = CimdDocumentServer.start();
        realm = CimdRealm.create(keycloak, "cimd-ssrf", Map.of());
    }

    @AfterAll
    static void cleanUp() {
        CimdSetup.cleanUp(realm, server);
    }

    @AfterEach
    void defaultConfiguration() {
        if (realm != null) {
            realm.configure(Map.of("allowed-address-ranges", List.of()));
        }
    }

    /** Names and literals that reach the local server: a name resolving to loopback, IPv4, "this host", mapped. */
    @ParameterizedTest
    @ValueSource(strings = {"localhost", "127.0.0.1", "0.0.0.0", "[::ffff:127.0.0.1]"})
    void loopbackAndThisHostAreRefusedUnfetched(String host) {
        String path = server.newPath("ssrf");
        String clientId = server.url(host, path);
        server.serve(path, Response.json(CimdDocuments.minimal(clientId, CALLBACK)));

        assertRefusedUnfetched(clientId);
    }

    @Test
    void ipv6LoopbackIsRefusedUnfetched() {
        String path = server.newPath("ssrf-v6");
        String clientId = server.ipv6Url(path);
        server.serve(path, Response.json(CimdDocuments.minimal(clientId, CALLBACK)));

        assertRefusedUnfetched(clientId);
    }

    /** An allowance covers its ranges and nothing else: 127.0.0.0/8 does not admit ::1. */
    @Test
    void allowedRangeDoesNotCoverOtherSpecialUseAddresses() {
        realm.configure(CimdRealm.LOOPBACK_ALLOWED);
        String path = server.newPath("ssrf-v6-allowance");
        String clientId = server.ipv6Url(path);
        server.serve(path, Response.json(CimdDocuments.minimal(clientId, CALLBACK)));

        assertRefusedUnfetched(clientId);
    }

    /** The development allowance does what it says: with 127.0.0.0/8 allowed, the same URL works. */
    @Test
    void allowedRangeAdmitsLoopback() {
        CimdDocumentServer.assumeReachableFrom(keycloak);
        realm.configure(CimdRealm.LOOPBACK_ALLOWED);
        String path = server.newPath("ssrf-allowed");
        String clientId = server.url("127.0.0.1", path);
        server.serve(path, Response.json(CimdDocuments.minimal(clientId, CALLBACK)));
        McpClient client = CimdAuthorization.client(realm, clientId, CimdAuthorization.loopbackCallback());

        AuthorizationResponse authorization = client.authorize(CimdAuthorization.request(client), CimdRealm.USER);

        assertNotNull(authorization.code(), authorization::describe);
        assertEquals(1, server.hits(path));
    }

    private static void assertRefusedUnfetched(String clientId) {
        int before = server.totalHits();
        CimdAuthorization.assertRefused(realm,
                CimdAuthorization.request(CimdAuthorization.client(realm, clientId, CimdAuthorization.loopbackCallback())),
                "special-use address");
        assertEquals(before, server.totalHits(), () -> "Keycloak fetched from a special-use address: "
                + server.requests());
    }
}
