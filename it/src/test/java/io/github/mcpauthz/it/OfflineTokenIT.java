package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.ClientKind;
import io.github.mcpauthz.it.support.Jwt;
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

import static io.github.mcpauthz.it.support.SampleRealm.DEMO_SERVER;
import static io.github.mcpauthz.it.support.SampleRealm.NAME;
import static io.github.mcpauthz.it.support.SampleRealm.WEATHER_SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code offline_access}: the offline token is bound to the server like a refresh token; refreshing it, with or
 * without repeating {@code resource}, gives tokens for exactly that server, and another server is
 * {@code invalid_target}.
 */
@KeycloakIT
class OfflineTokenIT {

    private static Map<ClientKind, McpClient> clients;
    private static AdminApi admin;

    @BeforeAll
    static void createClients(KeycloakEnvironment keycloak) {
        clients = ClientKind.createAll(keycloak, NAME, "mcp:tools offline_access");
        admin = keycloak.admin();
    }

    /**
     * The documented path for MCP clients whose refresh tokens should outlive the browser session: once the user's SSO
     * session has ended (removed, as idle expiry or a restart of the session store would), its refresh token is
     * {@code invalid_grant}, but an offline token still refreshes, bound to its server. (An admin's "log out user"
     * would also revoke offline tokens: it sets the user's not-before time.)
     */
    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void offlineTokenRefreshesAfterTheSessionEnded(ClientKind kind) {
        McpClient client = clients.get(kind);
        TokenResponse online = client.login(User.ALICE, DEMO_SERVER, "mcp:tools");
        TokenResponse offline = client.login(User.ALICE, DEMO_SERVER, "mcp:tools offline_access");
        assertEquals(200, online.status(), online::describe);
        assertEquals(200, offline.status(), offline::describe);

        for (TokenResponse tokens : List.of(online, offline)) {
            String sid = Jwt.claim(tokens.accessToken(), "sid");
            AdminApi.expect(admin.delete("/admin/realms/" + NAME + "/sessions/" + sid), 204);
        }

        TokenResponse ended = client.refresh(online.refreshToken(), DEMO_SERVER);
        assertEquals(400, ended.status(), ended::describe);
        assertEquals("invalid_grant", ended.error(), ended::describe);
        TokenResponse refreshed = client.refresh(offline.refreshToken(), DEMO_SERVER);
        assertEquals(200, refreshed.status(), refreshed::describe);
        assertEquals(List.of(DEMO_SERVER), refreshed.audience(), refreshed::describe);
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
}
