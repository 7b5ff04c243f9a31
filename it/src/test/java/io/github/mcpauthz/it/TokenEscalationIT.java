package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.AuthorizationResponse;
import io.github.mcpauthz.it.support.CimdRealm;
import io.github.mcpauthz.it.support.ClientRegistration;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.TokenResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static io.github.mcpauthz.it.support.SampleRealm.DEMO_SERVER;
import static io.github.mcpauthz.it.support.SampleRealm.WEATHER_SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The token endpoint cannot widen what the user approved at the authorization step: a code from an authorization
 * without {@code resource}, or a refresh token bound to no server, cannot be turned into a token for an MCP server
 * by adding {@code resource}; a refresh token bound to one server cannot be used for another. A refused refresh
 * leaves the refresh token usable, even with refresh token rotation on ({@code revokeRefreshToken=true},
 * {@code refreshTokenMaxReuse=0}, as in the realm this class creates), because the refusal comes before Keycloak
 * rotates it.
 */
@KeycloakIT
class TokenEscalationIT {

    private static CimdRealm realm;
    private static McpClient client;

    @BeforeAll
    static void createRealmAndClient(KeycloakEnvironment keycloak) {
        realm = CimdRealm.create(keycloak, "token-escalation", null);
        String redirectUri = McpClient.loopbackRedirectUri();
        client = ClientRegistration.registerOrFail(realm.issuer(), null,
                ClientRegistration.sdkMetadata("Escalating client", redirectUri, null)).publicClient(redirectUri);
    }

    @AfterAll
    static void deleteRealm() {
        if (realm != null) {
            realm.delete();
        }
    }

    @Test
    void codeFromAnAuthorizationWithoutResourceCannotBeRedeemedForAServer() {
        AuthorizationResponse authorization = client.authorize(client.authorizationRequest(), CimdRealm.USER);
        assertNotNull(authorization.code(), authorization::describe);

        TokenResponse response = client.exchange(authorization, DEMO_SERVER);

        assertInvalidTarget(response);
        assertTrue(response.errorDescription().contains("named no resource"), response::describe);
    }

    @ParameterizedTest
    @ValueSource(strings = {DEMO_SERVER, WEATHER_SERVER})
    void unboundRefreshTokenCannotBeUsedForAServerAndStaysUsable(String server) {
        TokenResponse tokens = client.login(CimdRealm.USER, null, null);
        assertEquals(200, tokens.status(), tokens::describe);
        assertNoMcpServer(tokens.audience(), tokens);

        TokenResponse refused = client.refresh(tokens.refreshToken(), server);

        assertInvalidTarget(refused);
        assertTrue(refused.errorDescription().contains("not issued for a resource"), refused::describe);
        TokenResponse refreshed = client.refresh(tokens.refreshToken());
        assertEquals(200, refreshed.status(), "the refused refresh burned the refresh token: " + refreshed.describe());
        assertNoMcpServer(refreshed.audience(), refreshed);
    }

    @ParameterizedTest
    @ValueSource(strings = {WEATHER_SERVER, "https://unknown.example.com/mcp"})
    void boundRefreshTokenCannotBeUsedForAnotherResourceAndStaysUsable(String other) {
        TokenResponse tokens = client.login(CimdRealm.USER, DEMO_SERVER, null);
        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(DEMO_SERVER), tokens.audience(), tokens::describe);

        TokenResponse refused = client.refresh(tokens.refreshToken(), other);

        assertInvalidTarget(refused);
        TokenResponse refreshed = client.refresh(tokens.refreshToken());
        assertEquals(200, refreshed.status(), "the refused refresh burned the refresh token: " + refreshed.describe());
        assertEquals(List.of(DEMO_SERVER), refreshed.audience(), refreshed::describe);
    }

    @Test
    void refreshTokenRotationIsOnInThisRealm() {
        TokenResponse tokens = client.login(CimdRealm.USER, DEMO_SERVER, null);
        assertEquals(200, client.refresh(tokens.refreshToken()).status());

        TokenResponse reused = client.refresh(tokens.refreshToken());

        assertEquals(400, reused.status(), "a used refresh token must not work again here: " + reused.describe());
        assertEquals("invalid_grant", reused.error(), reused::describe);
    }

    static void assertInvalidTarget(TokenResponse response) {
        assertEquals(400, response.status(), response::describe);
        assertEquals("invalid_target", response.error(), response::describe);
        assertFalse(response.errorDescription() == null || response.errorDescription().isBlank(), response::describe);
        assertNull(response.accessToken(), response::describe);
        assertNull(response.refreshToken(), response::describe);
    }

    static void assertNoMcpServer(List<String> audience, TokenResponse response) {
        assertFalse(audience.contains(DEMO_SERVER) || audience.contains(WEATHER_SERVER),
                "aud names an MCP server: " + audience + " " + response.describe());
    }
}
