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

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Which hosts may serve documents (MCP "Trust Policies"): {@code trust-policy: allow-list} admits only
 * {@code allowed-domains}; {@code denied-domains} are refused under any policy, even when also allowed. A refused host
 * is never asked for the document.
 */
@KeycloakIT
class CimdTrustPolicyIT {

    private static final String CALLBACK = "http://127.0.0.1/callback";
    private static final String[] POLICY_WORDS = {"allow", "trust", "policy", "permitted", "denied", "deny", "blocked"};

    private static CimdDocumentServer server;
    private static CimdRealm realm;

    @BeforeAll
    static void createRealmAndServer(KeycloakEnvironment keycloak) {
        server = CimdSetup.reachableServer(keycloak);
        realm = CimdRealm.create(keycloak, "cimd-hosts", CimdRealm.LOOPBACK_ALLOWED);
    }

    @AfterAll
    static void cleanUp() {
        CimdSetup.cleanUp(realm, server);
    }

    @AfterEach
    void openPolicy() {
        if (realm != null) {
            configure("open", List.of(), List.of());
        }
    }

    @Test
    void allowListWithoutTheHostRefusesIt() {
        configure("allow-list", List.of("*.example.com", "example.org"), List.of());

        assertRefusedUnfetched(servedDocument());
    }

    @Test
    void allowListNamingTheHostAdmitsIt() {
        configure("allow-list", List.of("example.org", "localhost"), List.of());

        assertAuthorized(servedDocument());
    }

    @Test
    void deniedHostIsRefusedUnderTheOpenPolicy() {
        configure("open", List.of(), List.of("localhost"));

        assertRefusedUnfetched(servedDocument());
    }

    @Test
    void deniedWinsOverAllowed() {
        configure("allow-list", List.of("localhost"), List.of("localhost"));

        assertRefusedUnfetched(servedDocument());
    }

    @Test
    void deniedWildcardLeavesOtherHostsAlone() {
        configure("open", List.of(), List.of("*.example.com"));

        assertAuthorized(servedDocument());
    }

    private static void configure(String policy, List<String> allowed, List<String> denied) {
        Map<String, Object> config = new LinkedHashMap<>(CimdRealm.LOOPBACK_ALLOWED);
        config.put("trust-policy", policy);
        config.put("allowed-domains", allowed);
        config.put("denied-domains", denied);
        realm.configure(config);
    }

    /** A valid document at a fresh {@code https://localhost:<port>/clients/…} URL; returns the URL. */
    private static String servedDocument() {
        String path = server.newPath("trust");
        String clientId = server.url(path);
        server.serve(path, Response.json(CimdDocuments.minimal(clientId, CALLBACK)));
        return clientId;
    }

    private static void assertRefusedUnfetched(String clientId) {
        int before = server.totalHits();
        CimdAuthorization.assertRefused(realm, CimdAuthorization.request(
                CimdAuthorization.client(realm, clientId, CimdAuthorization.loopbackCallback())), POLICY_WORDS);
        assertEquals(before, server.totalHits(), () -> "Keycloak fetched from a host its policy refuses: "
                + server.requests());
    }

    private static void assertAuthorized(String clientId) {
        McpClient client = CimdAuthorization.client(realm, clientId, CimdAuthorization.loopbackCallback());
        AuthorizationResponse authorization = client.authorize(CimdAuthorization.request(client), CimdRealm.USER);
        assertNotNull(authorization.code(), authorization::describe);
    }
}
