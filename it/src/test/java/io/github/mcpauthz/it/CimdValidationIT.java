package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.AuthorizationRequest;
import io.github.mcpauthz.it.support.AuthorizationResponse;
import io.github.mcpauthz.it.support.CimdAuthorization;
import io.github.mcpauthz.it.support.CimdDocumentServer;
import io.github.mcpauthz.it.support.CimdDocumentServer.Response;
import io.github.mcpauthz.it.support.CimdDocuments;
import io.github.mcpauthz.it.support.CimdRealm;
import io.github.mcpauthz.it.support.CimdSetup;
import io.github.mcpauthz.it.support.Json;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.SampleRealm;
import io.github.mcpauthz.it.support.TokenResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way a client ID metadata document (or its URL) can be unacceptable ends the authorization request on an HTTP
 * 400 error page that says why: no redirect to the client, no client created. Keycloak may fetch only an https URL
 * with a path and without fragment, query, dot segments or user info; it must not follow redirects; it accepts only a
 * 200 with a JSON document of at most {@code max-document-bytes} within {@code read-timeout-ms}; the document must
 * name itself, be a public client, and list the redirect URI the request uses.
 *
 * <p>The realm allows loopback addresses ({@code allowed-address-ranges: 127.0.0.0/8}), so every refusal here is
 * about the document, not about SSRF (see {@link CimdSsrfIT}). The words each test looks for in the page are the
 * ones an error description for that case has to contain.
 */
@KeycloakIT
class CimdValidationIT {

    private static final String CALLBACK = "http://127.0.0.1/callback";

    private static CimdDocumentServer server;
    private static CimdRealm realm;

    private String path;
    private String clientId;

    @BeforeAll
    static void createRealmAndServer(KeycloakEnvironment keycloak) {
        server = CimdSetup.reachableServer(keycloak);
        realm = CimdRealm.create(keycloak, "cimd-validation", CimdRealm.LOOPBACK_ALLOWED);
    }

    @AfterAll
    static void cleanUp() {
        CimdSetup.cleanUp(realm, server);
    }

    @BeforeEach
    void freshDocumentUrl() {
        path = server.newPath("validation");
        clientId = server.url(path);
    }

    // --- the document ----------------------------------------------------------------------------------------------

    @Test
    void documentNamingAnotherClientIdIsRefused() {
        server.serve(path, Response.json(CimdDocuments.minimal(server.url(server.newPath("someone-else")), CALLBACK)));

        assertRefused(clientId, "client_id");
        assertEquals(1, server.hits(path));
    }

    /** Simple string comparison: a client_id that differs only in the case of the host is another client_id. */
    @Test
    void documentWhoseClientIdDiffersOnlyInCaseIsRefused() {
        server.serve(path, Response.json(CimdDocuments.minimal(clientId.replace("localhost", "LOCALHOST"), CALLBACK)));

        assertRefused(clientId, "client_id");
    }

    @ParameterizedTest
    @ValueSource(strings = {"client_secret_basic", "client_secret_post", "client_secret_jwt"})
    void sharedSecretAuthenticationIsRefused(String method) {
        server.serve(path, Response.json(CimdDocuments.with(CimdDocuments.minimal(clientId, CALLBACK),
                "token_endpoint_auth_method", method)));

        assertRefused(clientId, "token_endpoint_auth_method", method, "secret");
    }

    @Test
    void documentWithAClientSecretIsRefused() {
        Map<String, Object> document = CimdDocuments.with(CimdDocuments.minimal(clientId, CALLBACK),
                "client_secret", "s3cr3t-in-a-public-document");

        server.serve(path, Response.json(document));

        assertRefused(clientId, "client_secret", "secret");
    }

    @Test
    void redirectUriNotInTheDocumentIsRefused() {
        server.serve(path, Response.json(CimdDocuments.minimal(clientId, CALLBACK)));

        assertRefused(request(clientId, "http://127.0.0.1:" + 40123 + "/elsewhere"), "redirect");
        assertRefused(request(clientId, "https://attacker.example/callback"), "redirect");
    }

    @Test
    void documentWithoutRedirectUrisIsRefused() {
        server.serve(path, Response.json(CimdDocuments.with(CimdDocuments.minimal(clientId, CALLBACK),
                "redirect_uris", null)));

        assertRefused(clientId, "redirect_uris", "redirect");
    }

    @Test
    void invalidJsonIsRefused() {
        server.serve(path, Response.status(200).withBody("application/json",
                "{\"client_id\": \"" + clientId + "\", \"redirect_uris\": [\"" + CALLBACK + "\""));

        assertRefused(clientId, "json");
    }

    // --- the fetch -------------------------------------------------------------------------------------------------

    /** The redirect target holds a valid document for this client_id: following the redirect would have worked. */
    @Test
    void redirectIsNotFollowed() {
        String target = server.newPath("redirect-target");
        server.serve(target, Response.json(CimdDocuments.minimal(clientId, CALLBACK)))
                .serve(path, Response.redirect(server.url(target)));

        assertRefused(clientId, "302", "redirect");
        assertEquals(1, server.hits(path));
        assertEquals(0, server.hits(target), "Keycloak followed the redirect");
    }

    @ParameterizedTest
    @ValueSource(ints = {404, 500, 201})
    void statusOtherThan200IsRefused(int status) {
        // with a valid document as body: only the status is wrong
        server.serve(path, Response.status(status).withBody("application/json",
                Json.write(CimdDocuments.minimal(clientId, CALLBACK))));

        assertRefused(clientId, Integer.toString(status));
    }

    @Test
    void documentLargerThan5120BytesIsRefused() {
        server.serve(path, Response.json(CimdDocuments.padded(CimdDocuments.minimal(clientId, CALLBACK), 5121)));

        assertRefused(clientId, "5120", "size", "large", "bytes", "limit", "exceed");
    }

    /** No Content-Length: the limit must hold while reading, not only by looking at the header. */
    @Test
    void largeDocumentSentChunkedIsRefused() {
        server.serve(path, Response.json(CimdDocuments.padded(CimdDocuments.minimal(clientId, CALLBACK), 64 * 1024))
                .chunked());

        assertRefused(clientId, "5120", "size", "large", "bytes", "limit", "exceed");
    }

    @Test
    void documentOfExactly5120BytesIsAccepted() {
        server.serve(path, Response.json(CimdDocuments.padded(CimdDocuments.minimal(clientId, CALLBACK), 5120)));

        assertAuthorized(clientId);
    }

    @Test
    void answerSlowerThanTheReadTimeoutIsRefused() {
        Duration delay = Duration.ofSeconds(8);
        server.serve(path, Response.json(CimdDocuments.minimal(clientId, CALLBACK)).withDelay(delay));
        long begin = System.nanoTime();

        assertRefused(clientId, "time limit", "timed out", "timeout", "time out", "too long", "took longer");

        Duration took = Duration.ofNanos(System.nanoTime() - begin);
        assertTrue(took.compareTo(delay.minusMillis(500)) < 0,
                "the error page came after " + took.toMillis() + " ms: Keycloak did not give up after read-timeout-ms "
                        + "(3000) but waited for the answer");
        assertEquals(1, server.hits(path));
    }

    // --- the client_id URL (refused before any fetch) --------------------------------------------------------------

    @Test
    void clientIdWithAFragmentIsRefused() {
        serveValidDocument();

        assertRefusedUnfetched(clientId + "#section", "fragment");
    }

    @Test
    void clientIdWithAQueryIsRefused() {
        serveValidDocument();

        assertRefusedUnfetched(clientId + "?version=1", "query");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/clients/../", "/clients/./", "/x/%2e%2e/clients/"})
    void clientIdWithDotSegmentsIsRefused(String prefix) {
        serveValidDocument();

        assertRefusedUnfetched(server.url(prefix + path.substring("/clients/".length())), "dot", "segment");
    }

    @Test
    void clientIdWithUserInfoIsRefused() {
        serveValidDocument();

        assertRefusedUnfetched("https://user:password@localhost:" + server.port() + path, "user");
    }

    /** {@code localhost.} is {@code localhost} to DNS: refused with a reason, not an HTTP 500 from the TLS layer. */
    @Test
    void clientIdWithATrailingDotHostIsRefused() {
        String dotted = "https://localhost.:" + server.port() + path;
        server.serve(path, Response.json(CimdDocuments.minimal(dotted, CALLBACK)));

        assertRefusedUnfetched(dotted, "dot");
    }

    /**
     * A non-ASCII path was sent as {@code ?} in the request line, so the fetched path differed from the client_id: now
     * the client_id must be ASCII. Its percent-encoded form is refused too: Keycloak's login pages decode a
     * client_id once when they carry it along, so such a client could never finish a login.
     */
    @Test
    void clientIdWithANonAsciiOrPercentEncodedPathIsRefused() {
        String unicodePath = path.replace(".json", "-\u00e4.json");
        String encodedPath = path.replace(".json", "-%C3%A4.json");
        server.serve(unicodePath, Response.json(CimdDocuments.minimal(server.url(unicodePath), CALLBACK)));
        server.serve(encodedPath, Response.json(CimdDocuments.minimal(server.url(encodedPath), CALLBACK)));

        assertRefusedUnfetched(server.url(unicodePath), "ASCII");
        assertRefusedUnfetched(server.url(encodedPath), "path may only contain");
    }

    /** The plain-HTTP listener serves a valid document for the http URL; allow-http is off, so it is never asked. */
    @Test
    void httpClientIdIsRefusedUnlessAllowed() {
        String httpClientId = server.httpUrl(path);
        server.serve(path, Response.json(CimdDocuments.minimal(httpClientId, CALLBACK)));

        assertRefusedUnfetched(httpClientId, "https");
    }

    @Test
    void httpClientIdWorksWhereAllowHttpIsOn() {
        String httpClientId = server.httpUrl(path);
        server.serve(path, Response.json(CimdDocuments.minimal(httpClientId, CALLBACK)));
        Map<String, Object> config = new LinkedHashMap<>(CimdRealm.LOOPBACK_ALLOWED);
        config.put("allow-http", true);
        realm.configure(config);
        try {
            assertAuthorized(httpClientId);
        } finally {
            realm.configure(CimdRealm.LOOPBACK_ALLOWED);
        }
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    private void serveValidDocument() {
        server.serve(path, Response.json(CimdDocuments.minimal(clientId, CALLBACK)));
    }

    private static AuthorizationRequest request(String clientId, String redirectUri) {
        return CimdAuthorization.request(CimdAuthorization.client(realm, clientId, redirectUri));
    }

    private static void assertRefused(String clientId, String... anyOf) {
        assertRefused(request(clientId, CimdAuthorization.loopbackCallback()), anyOf);
    }

    private static void assertRefused(AuthorizationRequest request, String... anyOf) {
        CimdAuthorization.assertRefused(realm, request, anyOf);
    }

    /** Refused, and the server saw no request at all. */
    private static void assertRefusedUnfetched(String clientId, String... anyOf) {
        int before = server.totalHits();
        assertRefused(clientId, anyOf);
        assertEquals(before, server.totalHits(), () -> "Keycloak fetched although the URL is invalid: "
                + server.requests());
    }

    private static void assertAuthorized(String clientId) {
        McpClient client = CimdAuthorization.client(realm, clientId, CimdAuthorization.loopbackCallback());
        AuthorizationResponse authorization = client.authorize(CimdAuthorization.request(client), CimdRealm.USER);
        assertNotNull(authorization.code(), authorization::describe);
        TokenResponse tokens = client.exchange(authorization, SampleRealm.DEMO_SERVER);
        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(SampleRealm.DEMO_SERVER), tokens.audience());
    }
}
