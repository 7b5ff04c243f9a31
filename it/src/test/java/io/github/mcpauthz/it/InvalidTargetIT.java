package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.AuthorizationResponse;
import io.github.mcpauthz.it.support.ClientKind;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.TokenResponse;
import io.github.mcpauthz.it.support.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static io.github.mcpauthz.it.support.SampleRealm.ALL_MCP_SCOPES;
import static io.github.mcpauthz.it.support.SampleRealm.DEMO_SCOPES;
import static io.github.mcpauthz.it.support.SampleRealm.DEMO_SERVER;
import static io.github.mcpauthz.it.support.SampleRealm.NAME;
import static io.github.mcpauthz.it.support.SampleRealm.WEATHER_SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@code resource} that is unknown, malformed or repeated is refused with RFC 8707 {@code invalid_target}: at the
 * authorization endpoint as an error redirect to the client (RFC 9207 {@code iss} and {@code state} included, no
 * code), at the token endpoint as a 400 JSON error without tokens. So is a token request that names a different
 * registered server than the one authorized.
 */
@KeycloakIT
class InvalidTargetIT {

    static final String UNKNOWN = "https://unknown.example.com/mcp";
    static final String RELATIVE = "/mcp";
    static final String WITH_FRAGMENT = "http://localhost:3001/mcp#x";
    static final String NOT_A_URI = "not a uri";

    private static KeycloakEnvironment keycloak;
    private static Map<ClientKind, McpClient> clients;

    @BeforeAll
    static void createClients(KeycloakEnvironment environment) {
        keycloak = environment;
        clients = ClientKind.createAll(keycloak, NAME, ALL_MCP_SCOPES);
    }

    static Stream<Arguments> refusedResources() {
        return ClientKind.crossedWith(UNKNOWN, RELATIVE, WITH_FRAGMENT, NOT_A_URI);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("refusedResources")
    void authorizationRedirectsInvalidTarget(ClientKind kind, String resource) {
        McpClient client = clients.get(kind);
        AuthorizationResponse authorization = client.authorize(
                client.authorizationRequest().scope(DEMO_SCOPES).resource(resource), User.ALICE);

        assertInvalidTargetRedirect(authorization);
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void authorizationWithRepeatedResourceRedirectsInvalidTarget(ClientKind kind) {
        McpClient client = clients.get(kind);
        AuthorizationResponse authorization = client.authorize(
                client.authorizationRequest().scope(DEMO_SCOPES).resource(DEMO_SERVER, WEATHER_SERVER), User.ALICE);

        assertInvalidTargetRedirect(authorization);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("refusedResources")
    void tokenRequestWithRefusedResourceIsInvalidTarget(ClientKind kind, String resource) {
        McpClient client = clients.get(kind);
        AuthorizationResponse authorization = authorizedForDemoServer(client);

        assertInvalidTarget(client.exchange(authorization, resource));
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void tokenRequestWithRepeatedResourceIsInvalidTarget(ClientKind kind) {
        McpClient client = clients.get(kind);
        AuthorizationResponse authorization = authorizedForDemoServer(client);

        assertInvalidTarget(client.exchange(authorization, DEMO_SERVER, WEATHER_SERVER));
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void tokenRequestForAnotherRegisteredServerIsInvalidTarget(ClientKind kind) {
        McpClient client = clients.get(kind);
        AuthorizationResponse authorization = authorizedForDemoServer(client);

        assertInvalidTarget(client.exchange(authorization, WEATHER_SERVER));
    }

    private static AuthorizationResponse authorizedForDemoServer(McpClient client) {
        AuthorizationResponse authorization = client.authorize(
                client.authorizationRequest().scope(DEMO_SCOPES).resource(DEMO_SERVER), User.ALICE);
        assertTrue(authorization.code() != null, authorization::describe);
        return authorization;
    }

    private static void assertInvalidTargetRedirect(AuthorizationResponse authorization) {
        assertTrue(authorization.redirectedToClient(), authorization::describe);
        assertEquals("invalid_target", authorization.error(), authorization::describe);
        assertFalse(authorization.errorDescription() == null || authorization.errorDescription().isBlank(),
                authorization::describe);
        assertEquals(keycloak.issuer(), authorization.iss(), authorization::describe);
        assertEquals(authorization.request().state(), authorization.state(), authorization::describe);
        assertNull(authorization.code(), authorization::describe);
    }

    static void assertInvalidTarget(TokenResponse response) {
        assertEquals(400, response.status(), response::describe);
        assertEquals("invalid_target", response.error(), response::describe);
        assertNull(response.accessToken(), response::describe);
        assertNull(response.refreshToken(), response::describe);
    }
}
