package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.AuthorizationRequest;
import io.github.mcpauthz.it.support.ClientKey;
import io.github.mcpauthz.it.support.CimdAuthorization;
import io.github.mcpauthz.it.support.CimdDocumentServer;
import io.github.mcpauthz.it.support.CimdDocumentServer.Response;
import io.github.mcpauthz.it.support.CimdDocuments;
import io.github.mcpauthz.it.support.CimdRealm;
import io.github.mcpauthz.it.support.CimdSetup;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpTestRealm;
import io.github.mcpauthz.it.support.RegistrationEvents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client ID metadata documents pass the same metadata rules and limits as dynamic registration: a malformed inline
 * {@code jwks}, a {@code jwks_uri} or an OS-handler redirect scheme is an HTTP 400 error page (never a 500) and no
 * client; one document host may create only {@code registrations-per-host} clients per window and one source address
 * only the anonymous {@code registrations-per-address}: over either, the user gets an HTTP 429 error page with
 * {@code Retry-After}, no client is created and the document is not fetched. The realm's cap holds under concurrent
 * first requests of different documents: exactly the cap's clients exist, the others get a 400 error page naming the
 * cap and leave no client and no success event.
 */
@KeycloakIT
class CimdLimitsIT {

    /** Fixed windows this long do not roll over during a test run. */
    private static final String LONG_WINDOW = "1000000000";
    private static final String CALLBACK = "http://127.0.0.1/callback";

    private static KeycloakEnvironment keycloak;
    private static CimdDocumentServer server;
    private static CimdRealm realm;

    @BeforeAll
    static void createRealmAndServer(KeycloakEnvironment environment) {
        keycloak = environment;
        server = CimdSetup.reachableServer(keycloak);
        realm = CimdRealm.create(keycloak, "cimd-limits", CimdRealm.LOOPBACK_ALLOWED);
    }

    @AfterAll
    static void cleanUp() {
        CimdSetup.cleanUp(realm, server);
    }

    @Test
    void malformedJwksIsA400NotA500() {
        String path = server.newPath("bad-jwks");
        String clientId = server.url(path);
        Map<String, Object> key = new LinkedHashMap<>(ClientKey.generateRsa().publicJwk());
        key.put("n", "not-base64-!!!");
        Map<String, Object> document = CimdDocuments.with(CimdDocuments.with(CimdDocuments.minimal(clientId, CALLBACK),
                "token_endpoint_auth_method", "private_key_jwt"), "jwks", Map.of("keys", List.of(key)));
        server.serve(path, Response.json(document));

        CimdAuthorization.assertRefused(realm, request(clientId), "jwks");
    }

    @Test
    void jwksUriIsRefused() {
        String path = server.newPath("jwks-uri");
        String clientId = server.url(path);
        Map<String, Object> document = CimdDocuments.with(CimdDocuments.with(CimdDocuments.minimal(clientId, CALLBACK),
                "token_endpoint_auth_method", "private_key_jwt"), "jwks_uri", "https://127.0.0.1:9/jwks");
        server.serve(path, Response.json(document));

        CimdAuthorization.assertRefused(realm, request(clientId), "jwks_uri");
    }

    @Test
    void osHandlerRedirectSchemeIsRefused() {
        String path = server.newPath("os-scheme");
        String clientId = server.url(path);
        server.serve(path, Response.json(CimdDocuments.minimal(clientId, CALLBACK, "ms-msdt:/id%20PCWDiagnostic")));

        CimdAuthorization.assertRefused(realm, request(clientId), "scheme", "ms-msdt");
    }

    @Test
    void oneHostCreatesAtMostRegistrationsPerHostClients() {
        CimdRealm limited = CimdRealm.create(keycloak, "cimd-host-limit", config(Map.of(
                "registrations-per-host", "2", "host-rate-window-seconds", LONG_WINDOW)));
        try {
            for (int i = 1; i <= 2; i++) {
                String clientId = served("host-" + i);
                HttpResult page = CimdAuthorization.firstResponse(request(limited, clientId));
                assertEquals(200, page.status(), () -> "document " + clientId + ": " + page.describe());
                assertTrue(limited.client(clientId).isPresent(), "no client for " + clientId);
            }
            String third = served("host-3");
            assertTooMany(limited, third, "localhost");

            String otherHost = server.url("127.0.0.1", server.newPath("other-host"));
            server.serve(pathOf(otherHost), Response.json(CimdDocuments.minimal(otherHost, CALLBACK)));
            HttpResult page = CimdAuthorization.firstResponse(request(limited, otherHost));
            assertEquals(200, page.status(), () -> "another host has its own count: " + page.describe());
        } finally {
            limited.delete();
        }
    }

    @Test
    void oneAddressCreatesAtMostRegistrationsPerAddressClients() {
        CimdRealm limited = CimdRealm.create(keycloak, "cimd-address-limit", config(Map.of("registrations-per-host", "0")));
        try {
            limited.admin().configureRegistrationPolicy(limited.name(), McpTestRealm.LIMITS_POLICY, McpTestRealm.ANONYMOUS,
                    Map.of("registrations-per-address", "2", "rate-window-seconds", LONG_WINDOW));
            for (int i = 1; i <= 2; i++) {
                String clientId = served("address-" + i);
                HttpResult page = CimdAuthorization.firstResponse(request(limited, clientId));
                assertEquals(200, page.status(), () -> "document " + clientId + ": " + page.describe());
            }
            assertTooMany(limited, served("address-3"), "registrations from");
        } finally {
            limited.delete();
        }
    }

    @Test
    void concurrentDocumentsAtCapMinusOneCreateExactlyOneClient() throws Exception {
        int cap = 2;
        int concurrent = 10;
        CimdRealm limited = CimdRealm.create(keycloak, "cimd-cap-race", config(Map.of("registrations-per-host", "0",
                "max-concurrent-fetches", "20", "max-concurrent-fetches-per-host", "20")));
        try {
            limited.admin().configureRegistrationPolicy(limited.name(), McpTestRealm.LIMITS_POLICY, McpTestRealm.ANONYMOUS,
                    Map.of("max-dynamic-clients", Integer.toString(cap), "registrations-per-address", "0"));
            String before = served("cap-before");
            HttpResult first = CimdAuthorization.firstResponse(request(limited, before));
            assertEquals(200, first.status(), first::describe);
            int clientsBefore = limited.admin().countClients(limited.name());

            List<String> clientIds = new ArrayList<>();
            for (int i = 0; i < concurrent; i++) {
                clientIds.add(served("cap-race-" + i));
            }
            List<HttpResult> results = atOnce(clientIds.stream()
                    .map(id -> (Callable<HttpResult>) () -> CimdAuthorization.firstResponse(request(limited, id)))
                    .toList());

            List<HttpResult> created = results.stream().filter(r -> r.status() == 200).toList();
            List<HttpResult> refused = results.stream().filter(r -> r.status() == 400).toList();
            assertEquals(1, created.size(), () -> "expected exactly one 200: " + statuses(results));
            assertEquals(concurrent - 1, refused.size(), () -> "expected 400 for the others: " + statuses(results));
            String capReached = "limit of " + cap + " dynamically registered clients";
            refused.forEach(page -> assertTrue(CimdAuthorization.errorMessage(page).contains(capReached),
                    () -> "the page should name the cap: " + CimdAuthorization.errorMessage(page)));
            // A refusal after the creation rolls it back: no client of any kind, no success event is left.
            assertEquals(cap, AdminApi.expect(limited.admin().dynamicClients(limited.name()), 200).json().size());
            assertEquals(clientsBefore + 1, limited.admin().countClients(limited.name()));
            assertEquals(cap, limited.admin().events(limited.name(), "CLIENT_REGISTER").size(),
                    "one CLIENT_REGISTER success event per client that exists");
            assertEquals(1, clientIds.stream().filter(id -> limited.client(id).isPresent()).count());

            CimdAuthorization.assertRefused(limited, request(limited, served("cap-after")), capReached);
        } finally {
            limited.delete();
        }
    }

    private static List<HttpResult> atOnce(List<Callable<HttpResult>> calls) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(calls.size());
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<HttpResult>> futures = new ArrayList<>();
            for (Callable<HttpResult> call : calls) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return call.call();
                }));
            }
            go.countDown();
            List<HttpResult> results = new ArrayList<>();
            for (Future<HttpResult> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
    }

    private static String statuses(List<HttpResult> results) {
        StringBuilder out = new StringBuilder();
        results.forEach(r -> out.append("\n  HTTP ").append(r.status()).append(' ')
                .append(r.status() == 200 ? "" : CimdAuthorization.errorMessage(r)));
        return out.toString();
    }

    private static void assertTooMany(CimdRealm limited, String clientId, String mentioned) {
        int hits = server.hits(pathOf(clientId));
        long sent = System.currentTimeMillis();
        HttpResult page = CimdAuthorization.firstResponse(request(limited, clientId));
        assertEquals(429, page.status(), page::describe);
        String retryAfter = page.header("Retry-After").orElse("");
        assertTrue(retryAfter.matches("\\d+") && Long.parseLong(retryAfter) >= 1, "Retry-After: " + page.headers().map());
        assertTrue(page.header("Content-Type").orElse("").contains("text/html"), page::describe);
        String message = CimdAuthorization.errorMessage(page);
        assertTrue(message.toLowerCase().contains(mentioned.toLowerCase()), () -> "the page should say why: " + message);
        CimdAuthorization.assertNoClient(limited, clientId);
        assertEquals(hits, server.hits(pathOf(clientId)), "the document was fetched although the limit was reached");
        RegistrationEvents.awaitError(limited.admin(), limited.name(), sent, "temporarily_unavailable", message);
    }

    private static Map<String, Object> config(Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>(CimdRealm.LOOPBACK_ALLOWED);
        config.putAll(extra);
        return config;
    }

    private static String served(String name) {
        String path = server.newPath(name);
        String clientId = server.url(path);
        server.serve(path, Response.json(CimdDocuments.minimal(clientId, CALLBACK)));
        return clientId;
    }

    private static String pathOf(String url) {
        return java.net.URI.create(url).getRawPath();
    }

    private static AuthorizationRequest request(String clientId) {
        return request(realm, clientId);
    }

    private static AuthorizationRequest request(CimdRealm target, String clientId) {
        return CimdAuthorization.request(CimdAuthorization.client(target, clientId, CimdAuthorization.loopbackCallback()));
    }
}
