package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.ClientKind;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.TokenResponse;
import io.github.mcpauthz.it.support.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Map;

import static io.github.mcpauthz.it.support.SampleRealm.ALL_MCP_SCOPES;
import static io.github.mcpauthz.it.support.SampleRealm.DEMO_SCOPES;
import static io.github.mcpauthz.it.support.SampleRealm.DEMO_SERVER;
import static io.github.mcpauthz.it.support.SampleRealm.NAME;
import static io.github.mcpauthz.it.support.SampleRealm.WEATHER_SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A refresh token stays bound to the MCP server it was issued for: refreshing (with the same resource or none) keeps
 * the audience, naming another server is {@code invalid_target}.
 */
@KeycloakIT
class RefreshBindingIT {

    private static Map<ClientKind, McpClient> clients;

    @BeforeAll
    static void createClients(KeycloakEnvironment keycloak) {
        clients = ClientKind.createAll(keycloak, NAME, ALL_MCP_SCOPES);
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void refreshWithoutResourceKeepsTheAudience(ClientKind kind) {
        McpClient client = clients.get(kind);
        TokenResponse tokens = loggedInForDemoServer(client);

        TokenResponse refreshed = client.refresh(tokens.refreshToken());

        assertEquals(200, refreshed.status(), refreshed::describe);
        assertEquals(List.of(DEMO_SERVER), refreshed.audience(), () -> refreshed.accessTokenClaims().toString());
        assertEquals(client.clientId(), refreshed.accessTokenClaims().path("azp").asText());
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void refreshWithSameResourceKeepsTheAudience(ClientKind kind) {
        McpClient client = clients.get(kind);
        TokenResponse tokens = loggedInForDemoServer(client);

        TokenResponse refreshed = client.refresh(tokens.refreshToken(), DEMO_SERVER);

        assertEquals(200, refreshed.status(), refreshed::describe);
        assertEquals(List.of(DEMO_SERVER), refreshed.audience(), () -> refreshed.accessTokenClaims().toString());
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void refreshedRefreshTokenStaysBound(ClientKind kind) {
        McpClient client = clients.get(kind);
        TokenResponse first = client.refresh(loggedInForDemoServer(client).refreshToken(), DEMO_SERVER);
        assertEquals(200, first.status(), first::describe);

        TokenResponse second = client.refresh(first.refreshToken());
        assertEquals(200, second.status(), second::describe);
        assertEquals(List.of(DEMO_SERVER), second.audience(), () -> second.accessTokenClaims().toString());

        // the sample realm rotates refresh tokens (revokeRefreshToken), so only the newest one may be used
        InvalidTargetIT.assertInvalidTarget(client.refresh(second.refreshToken(), WEATHER_SERVER));
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void refreshForAnotherRegisteredServerIsInvalidTarget(ClientKind kind) {
        McpClient client = clients.get(kind);
        TokenResponse tokens = loggedInForDemoServer(client);

        InvalidTargetIT.assertInvalidTarget(client.refresh(tokens.refreshToken(), WEATHER_SERVER));
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void refreshWithUnknownResourceIsInvalidTarget(ClientKind kind) {
        McpClient client = clients.get(kind);
        TokenResponse tokens = loggedInForDemoServer(client);

        InvalidTargetIT.assertInvalidTarget(client.refresh(tokens.refreshToken(), InvalidTargetIT.UNKNOWN));
    }

    private static TokenResponse loggedInForDemoServer(McpClient client) {
        TokenResponse tokens = client.login(User.ALICE, DEMO_SERVER, DEMO_SCOPES);
        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(DEMO_SERVER), tokens.audience(), () -> tokens.accessTokenClaims().toString());
        return tokens;
    }
}
