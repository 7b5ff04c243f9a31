package io.github.mcpauthz.it;

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
}
