package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.AuthorizationResponse;
import io.github.mcpauthz.it.support.ClientKind;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.TokenResponse;
import io.github.mcpauthz.it.support.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.github.mcpauthz.it.support.SampleRealm.ALL_MCP_SCOPES;
import static io.github.mcpauthz.it.support.SampleRealm.DEMO_SCOPES;
import static io.github.mcpauthz.it.support.SampleRealm.DEMO_SERVER;
import static io.github.mcpauthz.it.support.SampleRealm.NAME;
import static io.github.mcpauthz.it.support.SampleRealm.WEATHER_SCOPES;
import static io.github.mcpauthz.it.support.SampleRealm.WEATHER_SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * RFC 8707 as the extension implements it: a {@code resource} naming a registered MCP server makes that server, and
 * only that server, the audience of the access token, for every kind of client, however the token request spells it.
 */
@KeycloakIT
class ResourceAudienceIT {

    private static KeycloakEnvironment keycloak;
    private static Map<ClientKind, McpClient> clients;

    @BeforeAll
    static void createClients(KeycloakEnvironment environment) {
        keycloak = environment;
        clients = ClientKind.createAll(keycloak, NAME, ALL_MCP_SCOPES);
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void authorizationWithRegisteredResourceReturnsCodeAndIssuer(ClientKind kind) {
        McpClient client = clients.get(kind);
        AuthorizationResponse authorization = client.authorize(
                client.authorizationRequest().scope(DEMO_SCOPES).resource(DEMO_SERVER), User.ALICE);

        assertNull(authorization.error(), authorization::describe);
        assertNotNull(authorization.code(), authorization::describe);
        assertEquals(keycloak.issuer(), authorization.iss(), authorization::describe);
        assertEquals(authorization.request().state(), authorization.state());
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void tokenRequestWithSameResourceGetsExactlyThatAudience(ClientKind kind) {
        McpClient client = clients.get(kind);
        TokenResponse tokens = client.login(User.ALICE, DEMO_SERVER, DEMO_SCOPES);

        assertEquals(200, tokens.status(), tokens::describe);
        JsonNode claims = tokens.accessTokenClaims();
        assertEquals(List.of(DEMO_SERVER), tokens.audience(), claims::toString);
        assertEquals(client.clientId(), claims.path("azp").asText(), claims::toString);
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void tokenRequestWithoutResourceKeepsTheAuthorizedAudience(ClientKind kind) {
        McpClient client = clients.get(kind);
        AuthorizationResponse authorization = client.authorize(
                client.authorizationRequest().scope(DEMO_SCOPES).resource(DEMO_SERVER), User.ALICE);

        TokenResponse tokens = client.exchange(authorization);

        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(DEMO_SERVER), tokens.audience(), () -> tokens.accessTokenClaims().toString());
        assertEquals(client.clientId(), tokens.accessTokenClaims().path("azp").asText());
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void secondRegisteredServerGetsItsOwnAudience(ClientKind kind) {
        McpClient client = clients.get(kind);
        TokenResponse tokens = client.login(User.ALICE, WEATHER_SERVER, WEATHER_SCOPES);

        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(WEATHER_SERVER), tokens.audience(), () -> tokens.accessTokenClaims().toString());
        assertEquals(client.clientId(), tokens.accessTokenClaims().path("azp").asText());
    }

    /** Authorized with the registered spelling; the token request spells the same URI differently. */
    static Stream<Arguments> equivalentSpellings() {
        return ClientKind.crossedWith(
                new Spelling(DEMO_SERVER, DEMO_SCOPES, "HTTP://LOCALHOST:3001/mcp"),
                new Spelling(DEMO_SERVER, DEMO_SCOPES, "http://localhost:3001/mcp/"),
                new Spelling(WEATHER_SERVER, WEATHER_SCOPES, "https://weather.example.com:443/mcp"),
                new Spelling(WEATHER_SERVER, WEATHER_SCOPES, "HTTPS://Weather.Example.COM/mcp"),
                new Spelling(WEATHER_SERVER, WEATHER_SCOPES, "https://weather.example.com/mcp/"));
    }

    @ParameterizedTest
    @MethodSource("equivalentSpellings")
    void tokenRequestWithEquivalentSpellingGetsTheRegisteredAudience(ClientKind kind, Spelling spelling) {
        McpClient client = clients.get(kind);
        AuthorizationResponse authorization = client.authorize(
                client.authorizationRequest().scope(spelling.scopes()).resource(spelling.registered()), User.ALICE);

        TokenResponse tokens = client.exchange(authorization, spelling.sent());

        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(spelling.registered()), tokens.audience(), () -> tokens.accessTokenClaims().toString());
    }

    /** http's default port: {@code http://localhost:80/x} is {@code http://localhost/x}. Needs a server without port. */
    @Test
    void tokenRequestWithExplicitDefaultPortGetsTheRegisteredAudience(AdminApi admin) {
        String path = "/mcp-default-port-" + System.nanoTime();
        String registered = "http://localhost" + path;
        HttpResult created = admin.registerServer(NAME, registered, "Port-less server", List.of(), false);
        assertEquals(201, created.status(), created::describe);
        try {
            McpClient client = clients.get(ClientKind.DYNAMIC_PUBLIC);
            AuthorizationResponse authorization = client.authorize(
                    client.authorizationRequest().resource(registered), User.ALICE);

            TokenResponse tokens = client.exchange(authorization, "http://localhost:80" + path);

            assertEquals(200, tokens.status(), tokens::describe);
            assertEquals(List.of(registered), tokens.audience(), () -> tokens.accessTokenClaims().toString());
        } finally {
            admin.deleteServer(NAME, created.json().path("id").asText());
        }
    }

    record Spelling(String registered, String scopes, String sent) {
        @Override
        public String toString() {
            return sent;
        }
    }
}
