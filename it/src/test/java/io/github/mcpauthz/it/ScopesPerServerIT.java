package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.ClientKind;
import io.github.mcpauthz.it.support.ConsentBrowser;
import io.github.mcpauthz.it.support.ConsentRealm;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.TokenResponse;
import io.github.mcpauthz.it.support.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.github.mcpauthz.it.support.ConsentAssertions.DEMO_TOOLS_ITEM;
import static io.github.mcpauthz.it.support.ConsentAssertions.WEATHER_READ_ITEM;
import static io.github.mcpauthz.it.support.ConsentAssertions.assertCode;
import static io.github.mcpauthz.it.support.ConsentAssertions.request;
import static io.github.mcpauthz.it.support.SampleRealm.DEMO_SERVER;
import static io.github.mcpauthz.it.support.SampleRealm.WEATHER_SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scopes belong to a server: a token for server A carries only A's scopes (plus OIDC and other realm scopes). Another
 * server's scope asked for with {@code resource=A} is dropped from the consent page and from the token, for dynamic
 * (consent) and admin-made (no consent) clients alike.
 */
@KeycloakIT
class ScopesPerServerIT {

    private static final String BOTH = "mcp:tools weather:read";

    private static KeycloakEnvironment keycloak;
    private static ConsentRealm realm;

    @BeforeAll
    static void createRealm(KeycloakEnvironment environment) {
        keycloak = environment;
        realm = ConsentRealm.createLikeSample(environment, "per-server");
    }

    @AfterAll
    static void deleteRealm() {
        ConsentRealm.deleteIfCreated(realm);
    }

    @Test
    void anotherServersScopeIsNeitherShownNorGranted() {
        McpClient client = realm.registerAnonymously("asks for both servers' scopes");

        ConsentBrowser.Outcome outcome = new ConsentBrowser().authorize(request(client, DEMO_SERVER, BOTH),
                User.ALICE, ConsentBrowser.Answer.ALLOW);
        assertCode(outcome, realm.issuer());
        List<String> items = outcome.consentItems();
        assertTrue(items.contains(DEMO_TOOLS_ITEM), outcome::describe);
        assertFalse(items.contains(WEATHER_READ_ITEM), outcome::describe);

        TokenResponse tokens = client.exchange(outcome.response(), DEMO_SERVER);
        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(DEMO_SERVER), tokens.audience());
        Set<String> scopes = scopes(tokens);
        assertTrue(scopes.contains("mcp:tools"), scopes::toString);
        assertFalse(scopes.contains("weather:read"), scopes::toString);

        TokenResponse refreshed = client.refresh(tokens.refreshToken());
        assertEquals(200, refreshed.status(), refreshed::describe);
        assertFalse(scopes(refreshed).contains("weather:read"), refreshed::describe);
    }

    @Test
    void eachServerGetsItsOwnScopesForAClientWithoutConsent() {
        McpClient client = ClientKind.ADMIN_PUBLIC.create(keycloak, realm.name(), BOTH);

        Set<String> demo = scopes(client.login(User.ALICE, DEMO_SERVER, BOTH));
        assertTrue(demo.contains("mcp:tools"), demo::toString);
        assertFalse(demo.contains("weather:read"), demo::toString);

        Set<String> weather = scopes(client.login(User.ALICE, WEATHER_SERVER, BOTH));
        assertTrue(weather.contains("weather:read"), weather::toString);
        assertFalse(weather.contains("mcp:tools"), weather::toString);
    }

    private static Set<String> scopes(TokenResponse tokens) {
        assertEquals(200, tokens.status(), tokens::describe);
        return new TreeSet<>(Arrays.asList(tokens.accessTokenClaims().path("scope").asText().split(" ")));
    }
}
