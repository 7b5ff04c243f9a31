package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AuthorizationRequest;
import io.github.mcpauthz.it.support.AuthorizationResponse;
import io.github.mcpauthz.it.support.CimdAuthorization;
import io.github.mcpauthz.it.support.CimdDocumentServer;
import io.github.mcpauthz.it.support.CimdDocumentServer.Response;
import io.github.mcpauthz.it.support.CimdDocuments;
import io.github.mcpauthz.it.support.CimdDocuments.Shape;
import io.github.mcpauthz.it.support.CimdRealm;
import io.github.mcpauthz.it.support.CimdSetup;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.SampleRealm;
import io.github.mcpauthz.it.support.TokenResponse;
import org.jsoup.Jsoup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An MCP client that uses its metadata document URL as {@code client_id}, without registering: Keycloak fetches the
 * document, creates a public client named by the URL (consent required, PKCE S256), shows login and consent, and the
 * code becomes a token for the requested MCP server. Holds for the document shapes of real clients.
 */
@KeycloakIT
class CimdFlowIT {

    private static CimdDocumentServer server;
    private static CimdRealm realm;

    @BeforeAll
    static void createRealmAndServer(KeycloakEnvironment keycloak) {
        server = CimdSetup.reachableServer(keycloak);
        realm = CimdRealm.create(keycloak, "cimd-flow", CimdRealm.LOOPBACK_ALLOWED);
    }

    @AfterAll
    static void cleanUp() {
        CimdSetup.cleanUp(realm, server);
    }

    @ParameterizedTest
    @EnumSource(Shape.class)
    void documentOfARealClientGetsATokenForTheMcpServer(Shape shape) {
        String path = server.newPath(shape.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        String clientId = server.url(path);
        server.serve(path, Response.json(shape.document(clientId)));
        McpClient client = CimdAuthorization.client(realm, clientId, shape.redirectUri(randomPort()));
        AuthorizationRequest request = CimdAuthorization.request(client);
        CimdAuthorization.assertNoClient(realm, clientId);

        AuthorizationResponse authorization = client.authorize(request, CimdRealm.USER);

        assertNotNull(authorization.code(), authorization::describe);
        assertNull(authorization.error(), authorization::describe);
        assertEquals(request.state(), authorization.state());
        assertEquals(realm.issuer(), authorization.iss());

        TokenResponse tokens = client.exchange(authorization, SampleRealm.DEMO_SERVER);
        assertEquals(200, tokens.status(), tokens::describe);
        JsonNode claims = tokens.accessTokenClaims();
        assertEquals(List.of(SampleRealm.DEMO_SERVER), tokens.audience(), claims::toString);
        assertEquals(clientId, claims.path("azp").asText(), claims::toString);
        assertTrue(List.of(claims.path("scope").asText().split(" ")).contains("mcp:tools"), claims::toString);
        assertEquals(CimdRealm.USER.username(), claims.path("preferred_username").asText(), claims::toString);

        TokenResponse refreshed = client.refresh(tokens.refreshToken());
        assertEquals(200, refreshed.status(), refreshed::describe);
        assertEquals(List.of(SampleRealm.DEMO_SERVER), refreshed.audience());
        assertNotEquals(tokens.refreshToken(), refreshed.refreshToken(), "refresh tokens of public clients rotate");

        assertCimdClient(clientId);
        assertTrue(realm.consent(CimdRealm.USER, clientId).isPresent(),
                "the user consented on the consent page, so Keycloak keeps a consent for " + clientId);
        assertEquals(1, server.hits(path), "one fetch serves the whole flow (cached): " + server.requests());
    }

    @Test
    void loginPageFollowsTheFetchAndTheClientExistsFromThen() {
        String path = server.newPath("login-first");
        String clientId = server.url(path);
        server.serve(path, Response.json(CimdDocuments.minimal(clientId, "http://127.0.0.1/callback")));
        McpClient client = CimdAuthorization.client(realm, clientId, "http://127.0.0.1:" + randomPort() + "/callback");

        HttpResult first = CimdAuthorization.firstResponse(CimdAuthorization.request(client));

        assertEquals(200, first.status(), first::describe);
        assertNotNull(Jsoup.parse(first.body()).selectFirst("form#kc-form-login"), first::describe);
        assertEquals(1, server.hits(path));
        assertCimdClient(clientId);
    }

    /** RFC 8252 §7.3: a loopback redirect URI matches on any port, also when the document names one. */
    @Test
    void loopbackRedirectUriWithAPortInTheDocumentMatchesAnyPort() {
        String path = server.newPath("fixed-port");
        String clientId = server.url(path);
        server.serve(path, Response.json(CimdDocuments.minimal(clientId, "http://127.0.0.1:33418/callback")));
        int port = randomPort();
        McpClient client = CimdAuthorization.client(realm, clientId, "http://127.0.0.1:" + port + "/callback");

        AuthorizationResponse authorization = client.authorize(CimdAuthorization.request(client), CimdRealm.USER);

        assertNotNull(authorization.code(), authorization::describe);
        assertEquals(port, authorization.location().getPort());
        TokenResponse tokens = client.exchange(authorization, SampleRealm.DEMO_SERVER);
        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(SampleRealm.DEMO_SERVER), tokens.audience());
    }

    /** A public client has no secret: a token request that sends one anyway is not how it authenticates. */
    @Test
    void createdClientIsPublicAndHasNoSecret() {
        String path = server.newPath("no-secret");
        String clientId = server.url(path);
        server.serve(path, Response.json(CimdDocuments.minimal(clientId, "http://127.0.0.1/callback")));
        McpClient client = CimdAuthorization.client(realm, clientId, "http://127.0.0.1:" + randomPort() + "/callback");

        AuthorizationResponse authorization = client.authorize(CimdAuthorization.request(client), CimdRealm.USER);
        assertNotNull(authorization.code(), authorization::describe);

        JsonNode created = realm.client(clientId).orElseThrow();
        HttpResult secret = realm.admin().get("/admin/realms/" + realm.name() + "/clients/" + created.path("id").asText()
                + "/client-secret");
        assertTrue(secret.status() != 200 || secret.json().path("value").asText("").isEmpty(), secret::describe);
    }

    private static void assertCimdClient(String clientId) {
        JsonNode created = realm.client(clientId).orElseThrow(() -> new AssertionError("no client " + clientId));
        JsonNode attributes = created.path("attributes");
        assertEquals(clientId, created.path("clientId").asText());
        assertTrue(created.path("publicClient").asBoolean(), created::toString);
        assertTrue(created.path("consentRequired").asBoolean(), created::toString);
        assertEquals("true", attributes.path("mcp.dynamic").asText(), created::toString);
        assertEquals("cimd", attributes.path("mcp.registration.method").asText(), created::toString);
        assertEquals("S256", attributes.path("pkce.code.challenge.method").asText(), created::toString);
    }

    private static int randomPort() {
        return ThreadLocalRandom.current().nextInt(20000, 60000);
    }
}
