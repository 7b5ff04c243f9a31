package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.AuthorizationRequest;
import io.github.mcpauthz.it.support.CimdAuthorization;
import io.github.mcpauthz.it.support.CimdDocumentServer;
import io.github.mcpauthz.it.support.CimdDocumentServer.Response;
import io.github.mcpauthz.it.support.CimdDocuments;
import io.github.mcpauthz.it.support.CimdRealm;
import io.github.mcpauthz.it.support.CimdSetup;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The limits on fetching client ID metadata documents: one absolute deadline however slowly the host sends
 * ({@code fetch-deadline-ms}), a bound on fetches running at the same time overall and per host
 * ({@code max-concurrent-fetches}, {@code max-concurrent-fetches-per-host}; the excess is refused at once, not
 * queued), and failures remembered per URL for {@code failure-cache-seconds}. Every refusal is the HTTP 400 error
 * page with the reason, no client created. Durations are asserted only with generous upper bounds.
 */
@KeycloakIT
class CimdFetchLimitsIT {

    private static final String CALLBACK = "http://127.0.0.1/callback";

    private static CimdDocumentServer server;
    private static CimdRealm realm;

    @BeforeAll
    static void createRealmAndServer(KeycloakEnvironment keycloak) {
        server = CimdSetup.reachableServer(keycloak);
        realm = CimdRealm.create(keycloak, "cimd-limits", CimdRealm.LOOPBACK_ALLOWED);
    }

    @AfterAll
    static void cleanUp() {
        CimdSetup.cleanUp(realm, server);
    }

    @AfterEach
    void defaults() {
        if (realm != null) {
            realm.configure(CimdRealm.LOOPBACK_ALLOWED);
        }
    }

    /**
     * The headers come at once, then one byte per second: every read gets data well within read-timeout-ms, so only
     * the absolute deadline (3 s here) ends the fetch, long before the 600-byte document would be complete.
     */
    @Test
    void documentDrippingOneBytePerSecondFailsAtTheDeadline() {
        configure(Map.of("fetch-deadline-ms", 3000, "read-timeout-ms", 3000));
        String path = server.newPath("drip");
        String clientId = server.url(path);
        server.serve(path, Response.status(200).withBody("application/json",
                CimdDocuments.padded(CimdDocuments.minimal(clientId, CALLBACK), 600)).dripped(Duration.ofSeconds(1)));
        long begin = System.nanoTime();

        CimdAuthorization.assertRefused(realm, request(clientId), "time limit");

        Duration took = Duration.ofNanos(System.nanoTime() - begin);
        assertTrue(took.compareTo(Duration.ofSeconds(60)) < 0, "the error page came after " + took.toMillis()
                + " ms; the whole document would take 600 s");
        assertEquals(1, server.hits(path));
    }

    /** One fetch from localhost is held open; with one fetch per host, a second one from localhost is refused at once. */
    @Test
    void fetchBeyondThePerHostBoundIsRefusedAtOnce() throws Exception {
        configure(Map.of("max-concurrent-fetches-per-host", 1, "fetch-deadline-ms", 30000, "read-timeout-ms", 30000));
        String held = server.newPath("held");
        String other = server.newPath("other");
        assertSecondRefusedWhileFirstHeld(server.url(held), held, server.url(other), other);
    }

    /** With one fetch overall, a fetch from another host (127.0.0.1) is refused while one from localhost runs. */
    @Test
    void fetchBeyondTheOverallBoundIsRefusedAtOnce() throws Exception {
        configure(Map.of("max-concurrent-fetches", 1, "max-concurrent-fetches-per-host", 5,
                "fetch-deadline-ms", 30000, "read-timeout-ms", 30000));
        String held = server.newPath("held-all");
        String other = server.newPath("other-host");
        assertSecondRefusedWhileFirstHeld(server.url(held), held, server.url("127.0.0.1", other), other);
    }

    /** A URL that failed is not fetched again within failure-cache-seconds: the second request gets the same page. */
    @Test
    void failingUrlIsFetchedOnceWithinTheFailureCacheTime() {
        configure(Map.of("failure-cache-seconds", 120));
        String path = server.newPath("failing");
        String clientId = server.url(path);
        server.serve(path, Response.status(500).withBody("text/plain", "broken"));

        CimdAuthorization.assertRefused(realm, request(clientId), "500");
        CimdAuthorization.assertRefused(realm, request(clientId), "500");

        assertEquals(1, server.hits(path), server.requests()::toString);
    }

    /** An invalid document is remembered the same way. */
    @Test
    void invalidDocumentIsFetchedOnceWithinTheFailureCacheTime() {
        configure(Map.of("failure-cache-seconds", 120));
        String path = server.newPath("invalid");
        String clientId = server.url(path);
        server.serve(path, Response.json(CimdDocuments.minimal(server.url("/clients/someone-else.json"), CALLBACK)));

        CimdAuthorization.assertRefused(realm, request(clientId), "client_id");
        CimdAuthorization.assertRefused(realm, request(clientId), "client_id");

        assertEquals(1, server.hits(path), server.requests()::toString);
    }

    /**
     * A key set Keycloak's converter cannot read (an RSA key whose modulus is not base64url) used to end in an
     * HTTP 500; now it is the error page, whichever check catches it, and remembered for failure-cache-seconds.
     */
    @Test
    void malformedJwksIsTheErrorPageNotA500() {
        String path = server.newPath("bad-jwks");
        String clientId = server.url(path);
        Map<String, Object> key = Map.of("kty", "RSA", "use", "sig", "kid", "k1", "alg", "RS256", "n", "%%%not-base64%%%",
                "e", "AQAB");
        server.serve(path, Response.json(CimdDocuments.with(CimdDocuments.minimal(clientId, CALLBACK),
                "jwks", Map.of("keys", List.of(key)))));

        CimdAuthorization.assertRefused(realm, request(clientId), "jwks", "could not be processed", "key");
        CimdAuthorization.assertRefused(realm, request(clientId), "jwks", "could not be processed", "key");

        assertEquals(1, server.hits(path), "a failing document is remembered like the others");
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    private static void assertSecondRefusedWhileFirstHeld(String heldClientId, String heldPath, String otherClientId,
                                                          String otherPath) throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        server.serve(heldPath, Response.json(CimdDocuments.minimal(heldClientId, CALLBACK)).heldUntil(gate));
        server.serve(otherPath, Response.json(CimdDocuments.minimal(otherClientId, CALLBACK)));
        CompletableFuture<HttpResult> first = CompletableFuture.supplyAsync(
                () -> CimdAuthorization.firstResponse(request(heldClientId)));
        try {
            assertTrue(server.awaitHits(heldPath, 1, Duration.ofSeconds(30)), "the first fetch did not start");

            CimdAuthorization.assertRefused(realm, request(otherClientId), "too many");

            assertEquals(0, server.hits(otherPath), "the refused fetch reached the server");
        } finally {
            gate.countDown();
        }
        HttpResult firstPage = first.get(60, TimeUnit.SECONDS);
        assertEquals(200, firstPage.status(), () -> "the held fetch should end on the login page: "
                + CimdAuthorization.pageText(firstPage));
        // The slot is free again: the refused URL now works (a refusal for load is not remembered).
        assertEquals(200, CimdAuthorization.firstResponse(request(otherClientId)).status());
        assertEquals(1, server.hits(otherPath));
    }

    private static void configure(Map<String, Object> settings) {
        Map<String, Object> config = new LinkedHashMap<>(CimdRealm.LOOPBACK_ALLOWED);
        config.putAll(settings);
        realm.configure(config);
    }

    private static AuthorizationRequest request(String clientId) {
        return CimdAuthorization.request(CimdAuthorization.client(realm, clientId, CimdAuthorization.loopbackCallback()));
    }
}
