package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.Browser;
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
import static io.github.mcpauthz.it.support.SampleRealm.WEATHER_SCOPES;
import static io.github.mcpauthz.it.support.SampleRealm.WEATHER_SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One client, one user, two MCP servers: a token for one server never carries the other in {@code aud}, also when
 * both flows share an SSO session (and so one Keycloak client session).
 */
@KeycloakIT
class TwoServersIT {

    private static Map<ClientKind, McpClient> clients;

    @BeforeAll
    static void createClients(KeycloakEnvironment keycloak) {
        clients = ClientKind.createAll(keycloak, NAME, ALL_MCP_SCOPES);
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void eachTokenNamesOnlyItsServer(ClientKind kind) {
        McpClient client = clients.get(kind);

        TokenResponse demo = client.login(User.ALICE, DEMO_SERVER, DEMO_SCOPES);
        TokenResponse weather = client.login(User.ALICE, WEATHER_SERVER, WEATHER_SCOPES);

        assertAudience(List.of(DEMO_SERVER), demo);
        assertAudience(List.of(WEATHER_SERVER), weather);
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void flowsInOneSsoSessionStaySeparate(ClientKind kind) {
        McpClient client = clients.get(kind);
        Browser browser = new Browser();

        TokenResponse demo = client.login(browser, User.ALICE, DEMO_SERVER, DEMO_SCOPES);
        TokenResponse weather = client.login(browser, User.ALICE, WEATHER_SERVER, WEATHER_SCOPES);
        assertAudience(List.of(DEMO_SERVER), demo);
        assertAudience(List.of(WEATHER_SERVER), weather);

        // The demo refresh token was issued before the weather flow touched the shared client session.
        TokenResponse demoRefreshed = client.refresh(demo.refreshToken());
        TokenResponse weatherRefreshed = client.refresh(weather.refreshToken());
        assertAudience(List.of(DEMO_SERVER), demoRefreshed);
        assertAudience(List.of(WEATHER_SERVER), weatherRefreshed);
        // refresh tokens rotate in the sample realm: use the newest of each
        InvalidTargetIT.assertInvalidTarget(client.refresh(demoRefreshed.refreshToken(), WEATHER_SERVER));
        InvalidTargetIT.assertInvalidTarget(client.refresh(weatherRefreshed.refreshToken(), DEMO_SERVER));
    }

    private static void assertAudience(List<String> expected, TokenResponse tokens) {
        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(expected, tokens.audience(), () -> tokens.accessTokenClaims().toString());
    }
}
