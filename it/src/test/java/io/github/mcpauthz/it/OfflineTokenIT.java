package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.AuthorizationResponse;
import io.github.mcpauthz.it.support.Browser;
import io.github.mcpauthz.it.support.ClientKind;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.Jwt;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.TokenResponse;
import io.github.mcpauthz.it.support.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.util.List;
import java.util.Map;

import static io.github.mcpauthz.it.support.SampleRealm.DEMO_SERVER;
import static io.github.mcpauthz.it.support.SampleRealm.NAME;
import static io.github.mcpauthz.it.support.SampleRealm.WEATHER_SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code offline_access}: the offline token is bound to the server like a refresh token; refreshing it, with or
 * without repeating {@code resource}, gives tokens for exactly that server, and another server is
 * {@code invalid_target}; and it keeps refreshing after the user has logged out of the browser, which ends the SSO
 * session and with it the online refresh token.
 */
@KeycloakIT
class OfflineTokenIT {

    private static Map<ClientKind, McpClient> clients;

    @BeforeAll
    static void createClients(KeycloakEnvironment keycloak) {
        clients = ClientKind.createAll(keycloak, NAME, "mcp:tools offline_access");
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void offlineTokenKeepsItsServer(ClientKind kind) {
        McpClient client = clients.get(kind);
        TokenResponse tokens = client.login(User.ALICE, DEMO_SERVER, "mcp:tools offline_access");
        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals("Offline", Jwt.claim(tokens.refreshToken(), "typ"), tokens::describe);
        assertEquals(List.of(DEMO_SERVER), tokens.audience());

        TokenResponse refreshed = client.refresh(tokens.refreshToken());
        assertEquals(200, refreshed.status(), refreshed::describe);
        assertEquals(List.of(DEMO_SERVER), refreshed.audience(), refreshed::describe);

        TokenResponse again = client.refresh(refreshed.refreshToken(), DEMO_SERVER);
        assertEquals(200, again.status(), again::describe);
        assertEquals(List.of(DEMO_SERVER), again.audience(), again::describe);

        InvalidTargetIT.assertInvalidTarget(client.refresh(again.refreshToken(), WEATHER_SERVER));
    }

    /**
     * The documented path for MCP clients whose refresh tokens should outlive the browser session. In one browser (one
     * SSO session) the user authorizes the client twice, once without and once with {@code offline_access}, then
     * logs out of that browser (Keycloak's end-session endpoint and its confirmation form). The SSO session is then
     * over: the online refresh token is {@code invalid_grant} and the browser gets the login form again. The offline
     * token still refreshes, with and without {@code resource}, for exactly its server.
     */
    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void offlineTokenRefreshesAfterTheUsersSsoSessionHasEnded(ClientKind kind) {
        McpClient client = clients.get(kind);
        Browser browser = new Browser();
        TokenResponse online = client.login(browser, User.ALICE, DEMO_SERVER, "mcp:tools");
        TokenResponse offline = client.login(browser, User.ALICE, DEMO_SERVER, "mcp:tools offline_access");
        assertEquals(200, online.status(), online::describe);
        assertEquals(200, offline.status(), offline::describe);
        assertEquals("Refresh", Jwt.claim(online.refreshToken(), "typ"), online::describe);
        assertEquals("Offline", Jwt.claim(offline.refreshToken(), "typ"), offline::describe);
        assertEquals(Jwt.claim(online.accessToken(), "sid"), Jwt.claim(offline.accessToken(), "sid"),
                "both grants belong to the browser's one SSO session");

        HttpResult loggedOut = browser.logout(URI.create(client.issuer() + "/protocol/openid-connect/logout"));
        assertEquals(200, loggedOut.status(), loggedOut::describe);

        TokenResponse ended = client.refresh(online.refreshToken(), DEMO_SERVER);
        assertEquals(400, ended.status(), ended::describe);
        assertEquals("invalid_grant", ended.error(), ended::describe);
        AuthorizationResponse again = client.authorize(client.authorizationRequest().resource(DEMO_SERVER)
                .scope("mcp:tools"), null, browser);
        assertTrue(again.loginShown() && again.code() == null, () -> "the browser must log in again: " + again.describe());

        TokenResponse refreshed = client.refresh(offline.refreshToken(), DEMO_SERVER);
        assertEquals(200, refreshed.status(), refreshed::describe);
        assertEquals(List.of(DEMO_SERVER), refreshed.audience(), refreshed::describe);
        assertEquals("Offline", Jwt.claim(refreshed.refreshToken(), "typ"), refreshed::describe);
        TokenResponse withoutResource = client.refresh(refreshed.refreshToken());
        assertEquals(200, withoutResource.status(), withoutResource::describe);
        assertEquals(List.of(DEMO_SERVER), withoutResource.audience(), withoutResource::describe);
    }
}
