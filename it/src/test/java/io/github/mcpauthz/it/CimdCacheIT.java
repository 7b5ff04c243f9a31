package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AuthorizationRequest;
import io.github.mcpauthz.it.support.AuthorizationResponse;
import io.github.mcpauthz.it.support.Browser;
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

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keycloak caches a fetched document, honouring the server's {@code Cache-Control} within the realm's
 * {@code min-cache-seconds} (default 300) and {@code max-cache-seconds} bounds; it never caches an error or an invalid
 * document; and a re-fetched document whose redirect URIs changed no longer carries the user's earlier consent.
 * The hit counter of the local server tells how often Keycloak fetched.
 */
@KeycloakIT
class CimdCacheIT {

    private static final String CALLBACK = "http://127.0.0.1/callback";

    private static CimdDocumentServer server;
    private static CimdRealm realm;

    @BeforeAll
    static void createRealmAndServer(KeycloakEnvironment keycloak) {
        server = CimdSetup.reachableServer(keycloak);
        realm = CimdRealm.create(keycloak, "cimd-cache", CimdRealm.LOOPBACK_ALLOWED);
    }

    @AfterAll
    static void cleanUp() {
        CimdSetup.cleanUp(realm, server);
    }

    @AfterEach
    void defaultCacheBounds() {
        if (realm != null) {
            realm.configure(CimdRealm.LOOPBACK_ALLOWED);
        }
    }

    @Test
    void twoAuthorizationsWithinTheCacheLifetimeFetchOnce() {
        String clientId = servedDocument(null);

        assertAuthorized(clientId, new Browser());
        assertAuthorized(clientId, new Browser());

        assertEquals(1, server.hits(pathOf(clientId)), server.requests()::toString);
    }

    /** The server asks for no caching, but the realm's minimum (300 s by default) still applies. */
    @ParameterizedTest
    @ValueSource(strings = {"no-store", "max-age=0"})
    void minCacheSecondsOverridesAShorterServerLifetime(String cacheControl) {
        String clientId = servedDocument(cacheControl);

        assertAuthorized(clientId, new Browser());
        assertAuthorized(clientId, new Browser());

        assertEquals(1, server.hits(pathOf(clientId)), server.requests()::toString);
    }

    /** With {@code min-cache-seconds: 0}, a document the server says not to keep is fetched again each time. */
    @ParameterizedTest
    @ValueSource(strings = {"no-store", "max-age=0"})
    void documentIsFetchedAgainWhenTheServerSaysSoAndTheRealmAllowsIt(String cacheControl) {
        configureCache(0, 86400);
        String clientId = servedDocument(cacheControl);

        assertAuthorized(clientId, new Browser());
        int afterFirst = server.hits(pathOf(clientId));
        assertAuthorized(clientId, new Browser());

        assertTrue(afterFirst >= 1, "not fetched at all");
        assertTrue(server.hits(pathOf(clientId)) > afterFirst,
                "the second authorization used a document the server said not to keep: " + server.requests());
    }

    /** A long server lifetime is cut to {@code max-cache-seconds}. */
    @Test
    void maxCacheSecondsBoundsALongServerLifetime() throws InterruptedException {
        configureCache(0, 3);
        String clientId = servedDocument("max-age=86400");

        assertAuthorized(clientId, new Browser());
        assertEquals(1, server.hits(pathOf(clientId)));
        Thread.sleep(Duration.ofSeconds(4).toMillis());
        assertAuthorized(clientId, new Browser());

        assertEquals(2, server.hits(pathOf(clientId)), server.requests()::toString);
    }

    /**
     * A failed fetch is not kept like a document (min-cache-seconds 300, max-age=3600 in the answer): it is only
     * remembered for failure-cache-seconds (1 s here), after which the next request fetches again.
     */
    @ParameterizedTest
    @ValueSource(ints = {500, 404, 503})
    void errorResponseIsNotCached(int status) throws InterruptedException {
        configureFailureCache(1);
        String path = server.newPath("error-then-ok");
        String clientId = server.url(path);
        server.serve(path, Response.status(status).withBody("text/plain", "temporarily broken")
                .cacheControl("max-age=3600"));
        CimdAuthorization.assertRefused(realm, request(clientId), Integer.toString(status));
        Thread.sleep(2100);

        server.serve(path, Response.json(CimdDocuments.minimal(clientId, CALLBACK)));
        assertAuthorized(clientId, new Browser());

        assertEquals(2, server.hits(path), server.requests()::toString);
    }

    @Test
    void invalidDocumentIsNotCached() throws InterruptedException {
        configureFailureCache(1);
        String path = server.newPath("invalid-then-ok");
        String clientId = server.url(path);
        server.serve(path, Response.json(CimdDocuments.minimal(server.url("/clients/someone-else.json"), CALLBACK))
                .cacheControl("max-age=3600"));
        CimdAuthorization.assertRefused(realm, request(clientId), "client_id");
        Thread.sleep(2100);

        server.serve(path, Response.json(CimdDocuments.minimal(clientId, CALLBACK)));
        assertAuthorized(clientId, new Browser());

        assertEquals(2, server.hits(path), server.requests()::toString);
    }

    /**
     * The user allowed the client; the client's document then changes its redirect URIs. The consent given for the
     * old document no longer counts: {@code prompt=none} answers that consent is needed, and the admin API shows no
     * consent for the client (or the client was replaced by a new one). An unchanged re-fetch keeps the consent.
     */
    @Test
    void changedRedirectUrisInvalidateEarlierConsent() {
        configureCache(0, 86400);
        String path = server.newPath("consent");
        String clientId = server.url(path);
        server.serve(path, Response.json(CimdDocuments.minimal(clientId, CALLBACK)).cacheControl("no-store"));
        Browser browser = new Browser();

        assertAuthorized(clientId, browser);
        String clientUuid = realm.client(clientId).orElseThrow().path("id").asText();
        assertTrue(realm.consent(CimdRealm.USER, clientId).isPresent(), "no consent after the first authorization");

        int beforeUnchanged = server.hits(path);
        AuthorizationResponse silent = authorize(clientId, browser, "none");
        assertNotNull(silent.code(), () -> "an unchanged re-fetch must keep the consent: " + silent.describe());
        assertTrue(server.hits(path) > beforeUnchanged, "the document was not fetched again (min-cache-seconds 0)");

        server.serve(path, Response.json(CimdDocuments.minimal(clientId, CALLBACK, "http://127.0.0.1/other-callback"))
                .cacheControl("no-store"));
        int beforeChanged = server.hits(path);
        AuthorizationResponse afterChange = authorize(clientId, browser, "none");

        assertTrue(server.hits(path) > beforeChanged, "the changed document was not fetched");
        assertNull(afterChange.code(), () -> "consent for the old document was reused: " + afterChange.describe());
        assertTrue(List.of("consent_required", "interaction_required").contains(afterChange.error()),
                afterChange::describe);
        Optional<JsonNode> client = realm.client(clientId);
        boolean replaced = client.isEmpty() || !client.get().path("id").asText().equals(clientUuid);
        assertTrue(replaced || realm.consent(CimdRealm.USER, clientId).isEmpty(),
                () -> "the admin API still shows the old consent: " + realm.consent(CimdRealm.USER, clientId));

        // Asked again, the user allows again, and that consent holds.
        assertAuthorized(clientId, browser);
        assertTrue(realm.consent(CimdRealm.USER, clientId).isPresent(), "no consent after allowing again");
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    private static void configureFailureCache(int seconds) {
        Map<String, Object> config = new LinkedHashMap<>(CimdRealm.LOOPBACK_ALLOWED);
        config.put("failure-cache-seconds", seconds);
        realm.configure(config);
    }

    private static void configureCache(int min, int max) {
        Map<String, Object> config = new LinkedHashMap<>(CimdRealm.LOOPBACK_ALLOWED);
        config.put("min-cache-seconds", min);
        config.put("max-cache-seconds", max);
        realm.configure(config);
    }

    /** A valid document at a fresh path, with {@code Cache-Control: cacheControl} unless null; returns its URL. */
    private static String servedDocument(String cacheControl) {
        String path = server.newPath("cache");
        String clientId = server.url(path);
        Response response = Response.json(CimdDocuments.minimal(clientId, CALLBACK));
        server.serve(path, cacheControl == null ? response : response.cacheControl(cacheControl));
        return clientId;
    }

    private static String pathOf(String clientId) {
        return URI.create(clientId).getRawPath();
    }

    private static AuthorizationRequest request(String clientId) {
        return CimdAuthorization.request(CimdAuthorization.client(realm, clientId, CimdAuthorization.loopbackCallback()));
    }

    private static AuthorizationResponse authorize(String clientId, Browser browser, String prompt) {
        McpClient client = CimdAuthorization.client(realm, clientId, CimdAuthorization.loopbackCallback());
        AuthorizationRequest request = CimdAuthorization.request(client);
        if (prompt != null) {
            request.set("prompt", prompt);
        }
        return client.authorize(request, CimdRealm.USER, browser);
    }

    private static void assertAuthorized(String clientId, Browser browser) {
        AuthorizationResponse authorization = authorize(clientId, browser, null);
        assertNotNull(authorization.code(), authorization::describe);
    }
}
