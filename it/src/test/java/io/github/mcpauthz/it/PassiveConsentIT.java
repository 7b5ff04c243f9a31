package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.ConsentBrowser;
import io.github.mcpauthz.it.support.ConsentBrowser.Outcome;
import io.github.mcpauthz.it.support.ConsentRealm;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
import static io.github.mcpauthz.it.support.SampleRealm.DEMO_SERVER;
import static io.github.mcpauthz.it.support.SampleRealm.WEATHER_SERVER;
import static io.github.mcpauthz.it.support.User.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@code prompt=none} (OIDC Core 3.1.2.6) for a dynamic client, in a realm like the sample: a signed-in user who has
 * not consented to the client for the requested MCP server gets {@code consent_required} (never a page, never a
 * code); a server already consented to gives a code; without any SSO session it is Keycloak's {@code login_required}.
 */
@KeycloakIT
class PassiveConsentIT {

    private static ConsentRealm realm;
    private static String aliceId;

    @BeforeAll
    static void createRealm(KeycloakEnvironment keycloak) {
        realm = ConsentRealm.createLikeSample(keycloak, "consent-passive");
        aliceId = realm.userId(ALICE.username());
    }

    @AfterAll
    static void deleteRealm() {
        ConsentRealm.deleteIfCreated(realm);
    }

    @Test
    void signedInThroughAnotherClientAClientWithoutConsentGetsConsentRequired() {
        ConsentBrowser browser = new ConsentBrowser();
        McpClient other = realm.registerAnonymously("passive-other-it");
        assertCode(browser.authorize(request(other, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW), realm.issuer());
        McpClient client = realm.registerAnonymously("passive-new-it");

        Outcome passive = browser.authorize(passiveRequest(client, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);

        assertErrorRedirect(passive, "consent_required", realm.issuer());
        assertEquals("The user has not consented to this client for " + DEMO_SERVER,
                passive.response().errorDescription(), passive::describe);
        assertNothingShown(passive);
        assertNull(realm.consent(aliceId, client.clientId()), () -> realm.consents(aliceId).describe());

        // The same request without prompt=none shows the consent page (and no login: the session is there).
        Outcome interactive = browser.authorize(request(client, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);
        assertCode(interactive, realm.issuer());
        assertFalse(interactive.loginShown(), interactive::describe);
        assertConsentPage(interactive, DEMO_ITEM, DEMO_TOOLS_ITEM, CLIENT_ITEM);
    }

    @Test
    void consentForOneServerAnswersPromptNoneForItButNotForTheOther() {
        ConsentBrowser browser = new ConsentBrowser();
        McpClient client = realm.registerAnonymously("passive-per-server-it");
        Outcome allowed = browser.authorize(request(client, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);
        assertCode(allowed, realm.issuer());
        assertConsentPage(allowed, DEMO_ITEM, DEMO_TOOLS_ITEM, CLIENT_ITEM);

        Outcome weather = browser.authorize(passiveRequest(client, WEATHER_SERVER, "weather:read"), ALICE, ALLOW);
        assertErrorRedirect(weather, "consent_required", realm.issuer());
        assertEquals("The user has not consented to this client for " + WEATHER_SERVER,
                weather.response().errorDescription(), weather::describe);
        assertNothingShown(weather);

        Outcome demo = browser.authorize(passiveRequest(client, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);
        assertCode(demo, realm.issuer());
        assertNothingShown(demo);
        assertTokenFor(client.exchange(demo.response(), DEMO_SERVER), client, DEMO_SERVER, "mcp:tools");

        // Once the weather server is allowed interactively, prompt=none passes for it too.
        Outcome allowWeather = browser.authorize(request(client, WEATHER_SERVER, "weather:read"), ALICE, ALLOW);
        assertCode(allowWeather, realm.issuer());
        assertConsentPage(allowWeather, WEATHER_ITEM, WEATHER_READ_ITEM);
        Outcome weatherAgain = browser.authorize(passiveRequest(client, WEATHER_SERVER, "weather:read"), ALICE,
                ALLOW);
        assertCode(weatherAgain, realm.issuer());
        assertNothingShown(weatherAgain);
        assertTokenFor(client.exchange(weatherAgain.response(), WEATHER_SERVER), client, WEATHER_SERVER,
                "weather:read");
    }

    @Test
    void withoutAnySessionPromptNoneIsLoginRequiredWithOrWithoutConsent() {
        McpClient consented = realm.registerAnonymously("passive-consented-it");
        assertCode(new ConsentBrowser().authorize(request(consented, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW),
                realm.issuer());
        McpClient fresh = realm.registerAnonymously("passive-fresh-it");

        for (McpClient client : new McpClient[] {consented, fresh}) {
            Outcome passive = new ConsentBrowser().authorize(passiveRequest(client, DEMO_SERVER, "mcp:tools"), null,
                    ALLOW);
            assertErrorRedirect(passive, "login_required", realm.issuer());
            assertNothingShown(passive);
        }
        assertNull(realm.consent(aliceId, fresh.clientId()), () -> realm.consents(aliceId).describe());
    }
}
