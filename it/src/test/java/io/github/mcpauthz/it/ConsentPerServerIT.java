package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.ConsentBrowser;
import io.github.mcpauthz.it.support.ConsentBrowser.Outcome;
import io.github.mcpauthz.it.support.ConsentRealm;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.TokenResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static io.github.mcpauthz.it.support.ConsentAssertions.CLIENT_ITEM;
import static io.github.mcpauthz.it.support.ConsentAssertions.DEMO_ITEM;
import static io.github.mcpauthz.it.support.ConsentAssertions.DEMO_TOOLS_ITEM;
import static io.github.mcpauthz.it.support.ConsentAssertions.WEATHER_ITEM;
import static io.github.mcpauthz.it.support.ConsentAssertions.WEATHER_READ_ITEM;
import static io.github.mcpauthz.it.support.ConsentAssertions.assertCode;
import static io.github.mcpauthz.it.support.ConsentAssertions.assertConsentPage;
import static io.github.mcpauthz.it.support.ConsentAssertions.assertNothingShown;
import static io.github.mcpauthz.it.support.ConsentAssertions.assertTokenFor;
import static io.github.mcpauthz.it.support.ConsentAssertions.request;
import static io.github.mcpauthz.it.support.ConsentBrowser.Answer.ALLOW;
import static io.github.mcpauthz.it.support.SampleRealm.DEMO_SERVER;
import static io.github.mcpauthz.it.support.SampleRealm.WEATHER_SERVER;
import static io.github.mcpauthz.it.support.User.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In the sample realm, consent is per user, per client and per MCP server: a dynamic client is asked about once for
 * each server, remembered for that server only, and a new registration (even with the same name and redirect URI)
 * starts from nothing. Registers three clients anonymously in realm {@code mcp}.
 */
@KeycloakIT
class ConsentPerServerIT {

    private static ConsentRealm realm;
    private static String aliceId;

    @BeforeAll
    static void sampleRealm(KeycloakEnvironment keycloak) {
        realm = ConsentRealm.sample(keycloak);
        aliceId = realm.userId(ALICE.username());
    }

    @Test
    void eachServerIsAskedForOnceAndThenRemembered() {
        McpClient client = realm.registerAnonymously("consent-per-server-it");
        ConsentBrowser browser = new ConsentBrowser();
        String demoGrant = realm.grantScope(DEMO_SERVER);
        String weatherGrant = realm.grantScope(WEATHER_SERVER);

        // First authorization for the demo server: login, then a consent page naming that server only.
        Outcome first = browser.authorize(request(client, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);
        assertCode(first, realm.issuer());
        assertTrue(first.loginShown(), first::describe);
        assertConsentPage(first, DEMO_ITEM, DEMO_TOOLS_ITEM, CLIENT_ITEM);
        assertTokenFor(client.exchange(first.response(), DEMO_SERVER), client, DEMO_SERVER, "mcp:tools");
        assertEquals(Set.of(demoGrant, "mcp:tools", client.clientId()),
                realm.grantedScopes(aliceId, client.clientId()));

        // Same server again in the same browser: straight back with a code.
        Outcome again = browser.authorize(request(client, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);
        assertCode(again, realm.issuer());
        assertNothingShown(again);
        assertTokenFor(client.exchange(again.response(), DEMO_SERVER), client, DEMO_SERVER, "mcp:tools");

        // The weather server is asked for, and only it is listed (the client and the demo server are granted).
        Outcome weather = browser.authorize(request(client, WEATHER_SERVER, "weather:read"), ALICE, ALLOW);
        assertCode(weather, realm.issuer());
        assertFalse(weather.loginShown(), weather::describe);
        assertConsentPage(weather, WEATHER_ITEM, WEATHER_READ_ITEM);
        assertTokenFor(client.exchange(weather.response(), WEATHER_SERVER), client, WEATHER_SERVER, "weather:read");
        assertEquals(Set.of(demoGrant, "mcp:tools", weatherGrant, "weather:read", client.clientId()),
                realm.grantedScopes(aliceId, client.clientId()));

        // Both servers now pass without any page, each token naming its own server only.
        Outcome demoAgain = browser.authorize(request(client, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);
        assertCode(demoAgain, realm.issuer());
        assertNothingShown(demoAgain);
        assertTokenFor(client.exchange(demoAgain.response(), DEMO_SERVER), client, DEMO_SERVER, "mcp:tools");
        Outcome weatherAgain = browser.authorize(request(client, WEATHER_SERVER, "weather:read"), ALICE, ALLOW);
        assertCode(weatherAgain, realm.issuer());
        assertNothingShown(weatherAgain);
        assertTokenFor(client.exchange(weatherAgain.response(), WEATHER_SERVER), client, WEATHER_SERVER,
                "weather:read");
    }

    @Test
    void theGrantScopeOfTheServerIsWhatTheAdminApiShows() {
        McpClient client = realm.registerAnonymously("consent-admin-view-it");
        Outcome outcome = new ConsentBrowser().authorize(request(client, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);
        assertCode(outcome, realm.issuer());

        // grantedClientScopes: the server's grant scope, the scope asked for, and the client itself (shown on the
        // consent page of a dynamic client); nothing of the weather server.
        String demoId = realm.serverId(DEMO_SERVER);
        assertEquals(Set.of("mcp-server:" + demoId, "mcp:tools", client.clientId()),
                realm.grantedScopes(aliceId, client.clientId()));
    }

    @Test
    void aNewRegistrationWithTheSameNameAndRedirectUriIsAskedAgain() {
        String redirectUri = McpClient.loopbackRedirectUri();
        McpClient first = realm.registerAnonymously("consent-same-name-it", redirectUri);
        ConsentBrowser browser = new ConsentBrowser();
        Outcome firstOutcome = browser.authorize(request(first, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);
        assertCode(firstOutcome, realm.issuer());
        assertConsentPage(firstOutcome, DEMO_ITEM, DEMO_TOOLS_ITEM, CLIENT_ITEM);

        McpClient second = realm.registerAnonymously("consent-same-name-it", redirectUri);
        assertNotEquals(first.clientId(), second.clientId());
        Outcome secondOutcome = browser.authorize(request(second, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);

        assertCode(secondOutcome, realm.issuer());
        assertFalse(secondOutcome.loginShown(), secondOutcome::describe);
        assertConsentPage(secondOutcome, DEMO_ITEM, DEMO_TOOLS_ITEM, CLIENT_ITEM);
        TokenResponse tokens = second.exchange(secondOutcome.response(), DEMO_SERVER);
        assertTokenFor(tokens, second, DEMO_SERVER, "mcp:tools");
        // the first registration's consent is its own and still holds
        Outcome firstAgain = browser.authorize(request(first, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);
        assertCode(firstAgain, realm.issuer());
        assertNothingShown(firstAgain);
    }
}
