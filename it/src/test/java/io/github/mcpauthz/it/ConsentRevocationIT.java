package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AccountConsole;
import io.github.mcpauthz.it.support.ConsentBrowser;
import io.github.mcpauthz.it.support.ConsentBrowser.Outcome;
import io.github.mcpauthz.it.support.ConsentRealm;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.Jwt;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.TokenResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashSet;
import java.util.Set;

import static io.github.mcpauthz.it.support.ConsentAssertions.CLIENT_ITEM;
import static io.github.mcpauthz.it.support.ConsentAssertions.DEMO_ITEM;
import static io.github.mcpauthz.it.support.ConsentAssertions.DEMO_TOOLS_ITEM;
import static io.github.mcpauthz.it.support.ConsentAssertions.WEATHER_ITEM;
import static io.github.mcpauthz.it.support.ConsentAssertions.WEATHER_READ_ITEM;
import static io.github.mcpauthz.it.support.ConsentAssertions.assertCode;
import static io.github.mcpauthz.it.support.ConsentAssertions.assertConsentPage;
import static io.github.mcpauthz.it.support.ConsentAssertions.assertErrorRedirect;
import static io.github.mcpauthz.it.support.ConsentAssertions.assertInvalidGrant;
import static io.github.mcpauthz.it.support.ConsentAssertions.assertTokenFor;
import static io.github.mcpauthz.it.support.ConsentAssertions.passiveRequest;
import static io.github.mcpauthz.it.support.ConsentAssertions.request;
import static io.github.mcpauthz.it.support.ConsentBrowser.Answer.ALLOW;
import static io.github.mcpauthz.it.support.SampleRealm.DEMO_SERVER;
import static io.github.mcpauthz.it.support.SampleRealm.WEATHER_SERVER;
import static io.github.mcpauthz.it.support.User.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Revoking a client's access, by the user in the Account Console or by an admin, ends it: the client's refresh token
 * is refused ({@code invalid_grant}), the consent is gone, and the next authorization asks again, for every server.
 */
@KeycloakIT
class ConsentRevocationIT {

    private static KeycloakEnvironment keycloak;
    private static ConsentRealm realm;
    private static String aliceId;

    @BeforeAll
    static void createRealm(KeycloakEnvironment environment) {
        keycloak = environment;
        realm = ConsentRealm.createLikeSample(keycloak, "consent-revocation");
        aliceId = realm.userId(ALICE.username());
    }

    @AfterAll
    static void deleteRealm() {
        ConsentRealm.deleteIfCreated(realm);
    }

    @Test
    void removingAccessInTheAccountConsoleEndsIt() {
        revokeInTheAccountConsoleAndCheck(realm, "revocation-account-it");
    }

    /**
     * The same in the sample realm itself, for its user alice: the Account Console must be able to show and revoke
     * her consents. (Registers one client anonymously in {@code mcp}.)
     *
     * <p>Fails while {@code realm-exports/mcp-realm.json} imports alice without any role: an imported user does not
     * get the realm's default roles, so she has no {@code account} client role, the Account Console's token has no
     * {@code account} audience, and every Account REST call answers 401.
     */
    @Test
    void removingAccessInTheSampleRealmsAccountConsoleEndsIt() {
        revokeInTheAccountConsoleAndCheck(ConsentRealm.sample(keycloak), "revocation-sample-account-it");
    }

    @Test
    void revokingAsAdminEndsItForEveryServer() {
        McpClient client = realm.registerAnonymously("revocation-admin-it");
        ConsentBrowser browser = new ConsentBrowser();
        TokenResponse demo = allow(browser, client, DEMO_SERVER, "mcp:tools");
        TokenResponse weather = allow(browser, client, WEATHER_SERVER, "weather:read");
        assertEquals(Set.of(realm.grantScope(DEMO_SERVER), "mcp:tools", realm.grantScope(WEATHER_SERVER),
                "weather:read", client.clientId()), realm.grantedScopes(aliceId, client.clientId()));

        HttpResult revoked = realm.revokeAsAdmin(aliceId, client.clientId());

        assertEquals(204, revoked.status(), revoked::describe);
        assertNull(realm.consent(aliceId, client.clientId()), () -> realm.consents(aliceId).describe());
        assertInvalidGrant(client.refresh(demo.refreshToken()));
        assertInvalidGrant(client.refresh(weather.refreshToken()));
        assertErrorRedirect(browser.authorize(passiveRequest(client, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW),
                "consent_required", realm.issuer());
        assertErrorRedirect(browser.authorize(passiveRequest(client, WEATHER_SERVER, "weather:read"), ALICE, ALLOW),
                "consent_required", realm.issuer());

        Outcome demoAgain = browser.authorize(request(client, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);
        assertCode(demoAgain, realm.issuer());
        assertConsentPage(demoAgain, DEMO_ITEM, DEMO_TOOLS_ITEM, CLIENT_ITEM);
        Outcome weatherAgain = browser.authorize(request(client, WEATHER_SERVER, "weather:read"), ALICE, ALLOW);
        assertCode(weatherAgain, realm.issuer());
        assertConsentPage(weatherAgain, WEATHER_ITEM, WEATHER_READ_ITEM);
    }

    private static void revokeInTheAccountConsoleAndCheck(ConsentRealm realm, String clientName) {
        String aliceId = realm.userId(ALICE.username());
        McpClient client = realm.registerAnonymously(clientName);
        ConsentBrowser browser = new ConsentBrowser();
        TokenResponse tokens = allow(browser, client, DEMO_SERVER, "mcp:tools");

        AccountConsole console = AccountConsole.open(realm, browser, ALICE);
        HttpResult applications = console.applications();
        assertEquals(200, applications.status(), () -> applications.describe()
                + "\n  the Account Console's access token for alice: aud=" + Jwt.audience(console.accessToken())
                + ", resource_access=" + Jwt.claims(console.accessToken()).path("resource_access")
                + "\n  alice's role mappings in " + realm.name() + ": " + realm.roleMappings(aliceId).body());
        JsonNode consent = consentShownFor(applications, client.clientId());
        assertNotNull(consent, applications::describe);
        Set<String> shown = new LinkedHashSet<>();
        consent.path("grantedScopes").forEach(scope -> shown.add(scope.path("displayText").asText()));
        assertEquals(Set.of(DEMO_ITEM, DEMO_TOOLS_ITEM, CLIENT_ITEM), shown, applications::describe);

        HttpResult revoked = console.revokeConsent(client.clientId());

        assertEquals(204, revoked.status(), revoked::describe);
        assertInvalidGrant(client.refresh(tokens.refreshToken()));
        assertNull(realm.consent(aliceId, client.clientId()), () -> realm.consents(aliceId).describe());
        HttpResult after = console.applications();
        assertEquals(200, after.status(), after::describe);
        assertNull(consentShownFor(after, client.clientId()), after::describe);

        Outcome passive = browser.authorize(passiveRequest(client, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);
        assertErrorRedirect(passive, "consent_required", realm.issuer());
        Outcome again = browser.authorize(request(client, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);
        assertCode(again, realm.issuer());
        assertFalse(again.loginShown(), again::describe);
        assertConsentPage(again, DEMO_ITEM, DEMO_TOOLS_ITEM, CLIENT_ITEM);
        assertTokenFor(client.exchange(again.response(), DEMO_SERVER), client, DEMO_SERVER, "mcp:tools");
    }

    /** Allows {@code resource} for the client in {@code browser} and returns the tokens for it. */
    private static TokenResponse allow(ConsentBrowser browser, McpClient client, String resource, String scope) {
        Outcome outcome = browser.authorize(request(client, resource, scope), ALICE, ALLOW);
        assertCode(outcome, client.issuer());
        TokenResponse tokens = client.exchange(outcome.response(), resource);
        assertTokenFor(tokens, client, resource, scope);
        return tokens;
    }

    /** The {@code consent} object the Account Console shows for the client, or null (not listed, or no consent). */
    private static JsonNode consentShownFor(HttpResult applications, String clientId) {
        for (JsonNode application : applications.json()) {
            if (clientId.equals(application.path("clientId").asText())) {
                JsonNode consent = application.get("consent");
                return consent == null || consent.isNull() ? null : consent;
            }
        }
        return null;
    }
}
