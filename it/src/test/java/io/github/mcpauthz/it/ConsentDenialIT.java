package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.ConsentBrowser;
import io.github.mcpauthz.it.support.ConsentBrowser.Outcome;
import io.github.mcpauthz.it.support.ConsentRealm;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.TokenResponse;
import org.junit.jupiter.api.AfterAll;
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
import static io.github.mcpauthz.it.support.ConsentAssertions.assertErrorRedirect;
import static io.github.mcpauthz.it.support.ConsentAssertions.assertNothingShown;
import static io.github.mcpauthz.it.support.ConsentAssertions.assertTokenFor;
import static io.github.mcpauthz.it.support.ConsentAssertions.passiveRequest;
import static io.github.mcpauthz.it.support.ConsentAssertions.request;
import static io.github.mcpauthz.it.support.ConsentBrowser.Answer.ALLOW;
import static io.github.mcpauthz.it.support.ConsentBrowser.Answer.DENY;
import static io.github.mcpauthz.it.support.SampleRealm.DEMO_SERVER;
import static io.github.mcpauthz.it.support.SampleRealm.WEATHER_SERVER;
import static io.github.mcpauthz.it.support.User.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "No" on the consent page: the client gets {@code access_denied} (with {@code iss} and {@code state}) and nothing is
 * stored, neither a first consent nor the denied server's grant next to an earlier one; the user is asked again.
 */
@KeycloakIT
class ConsentDenialIT {

    private static ConsentRealm realm;
    private static String aliceId;

    @BeforeAll
    static void createRealm(KeycloakEnvironment keycloak) {
        realm = ConsentRealm.createLikeSample(keycloak, "consent-denial");
        aliceId = realm.userId(ALICE.username());
    }

    @AfterAll
    static void deleteRealm() {
        ConsentRealm.deleteIfCreated(realm);
    }

    /**
     * "No" at the first login ends that login: the consent is the last step before Keycloak creates the SSO session,
     * so the user is not signed in afterwards ({@code prompt=none} is {@code login_required}) and is asked to log in
     * and to consent again.
     */
    @Test
    void denyingAtTheFirstLoginStoresNothingAndAsksAgain() {
        McpClient client = realm.registerAnonymously("denial-first-it");
        ConsentBrowser browser = new ConsentBrowser();

        Outcome denied = browser.authorize(request(client, DEMO_SERVER, "mcp:tools"), ALICE, DENY);

        assertErrorRedirect(denied, "access_denied", realm.issuer());
        assertTrue(denied.loginShown(), denied::describe);
        assertConsentPage(denied, DEMO_ITEM, DEMO_TOOLS_ITEM, CLIENT_ITEM);
        assertNull(realm.consent(aliceId, client.clientId()), () -> realm.consents(aliceId).describe());

        Outcome passive = browser.authorize(passiveRequest(client, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);
        assertErrorRedirect(passive, "login_required", realm.issuer());
        assertNothingShown(passive);

        Outcome again = browser.authorize(request(client, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);
        assertCode(again, realm.issuer());
        assertTrue(again.loginShown(), again::describe);
        assertConsentPage(again, DEMO_ITEM, DEMO_TOOLS_ITEM, CLIENT_ITEM);
        assertTokenFor(client.exchange(again.response(), DEMO_SERVER), client, DEMO_SERVER, "mcp:tools");
    }

    /** "No" from a signed-in user: nothing stored, the user stays signed in, and is asked again (only to consent). */
    @Test
    void denyingWhileSignedInStoresNothingAndAsksAgain() {
        ConsentBrowser browser = new ConsentBrowser();
        McpClient other = realm.registerAnonymously("denial-other-it");
        assertCode(browser.authorize(request(other, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW), realm.issuer());
        McpClient client = realm.registerAnonymously("denial-signed-in-it");

        Outcome denied = browser.authorize(request(client, DEMO_SERVER, "mcp:tools"), ALICE, DENY);

        assertErrorRedirect(denied, "access_denied", realm.issuer());
        assertFalse(denied.loginShown(), denied::describe);
        assertConsentPage(denied, DEMO_ITEM, DEMO_TOOLS_ITEM, CLIENT_ITEM);
        assertNull(realm.consent(aliceId, client.clientId()), () -> realm.consents(aliceId).describe());

        Outcome passive = browser.authorize(passiveRequest(client, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);
        assertErrorRedirect(passive, "consent_required", realm.issuer());
        assertNothingShown(passive);

        Outcome again = browser.authorize(request(client, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);
        assertCode(again, realm.issuer());
        assertFalse(again.loginShown(), again::describe);
        assertConsentPage(again, DEMO_ITEM, DEMO_TOOLS_ITEM, CLIENT_ITEM);
        assertTokenFor(client.exchange(again.response(), DEMO_SERVER), client, DEMO_SERVER, "mcp:tools");
    }

    @Test
    void denyingASecondServerKeepsOnlyTheFirstServersGrant() {
        McpClient client = realm.registerAnonymously("denial-second-it");
        ConsentBrowser browser = new ConsentBrowser();
        Outcome allowed = browser.authorize(request(client, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);
        assertCode(allowed, realm.issuer());
        TokenResponse demoTokens = client.exchange(allowed.response(), DEMO_SERVER);
        assertTokenFor(demoTokens, client, DEMO_SERVER, "mcp:tools");
        Set<String> demoOnly = Set.of(realm.grantScope(DEMO_SERVER), "mcp:tools", client.clientId());
        assertEquals(demoOnly, realm.grantedScopes(aliceId, client.clientId()));

        Outcome denied = browser.authorize(request(client, WEATHER_SERVER, "weather:read"), ALICE, DENY);

        assertErrorRedirect(denied, "access_denied", realm.issuer());
        assertFalse(denied.loginShown(), denied::describe);
        assertConsentPage(denied, WEATHER_ITEM, WEATHER_READ_ITEM);
        assertEquals(demoOnly, realm.grantedScopes(aliceId, client.clientId()));

        // The weather server is still not granted; the demo server still is, and its refresh token still works.
        Outcome passiveWeather = browser.authorize(passiveRequest(client, WEATHER_SERVER, "weather:read"), ALICE,
                ALLOW);
        assertErrorRedirect(passiveWeather, "consent_required", realm.issuer());
        Outcome demoAgain = browser.authorize(request(client, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);
        assertCode(demoAgain, realm.issuer());
        assertNothingShown(demoAgain);
        assertTokenFor(client.refresh(demoTokens.refreshToken()), client, DEMO_SERVER, "mcp:tools");
        Outcome weatherAgain = browser.authorize(request(client, WEATHER_SERVER, "weather:read"), ALICE, ALLOW);
        assertCode(weatherAgain, realm.issuer());
        assertConsentPage(weatherAgain, WEATHER_ITEM, WEATHER_READ_ITEM);
    }
}
