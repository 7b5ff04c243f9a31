package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.ClientRegistration;
import io.github.mcpauthz.it.support.ConsentBrowser;
import io.github.mcpauthz.it.support.ConsentBrowser.Outcome;
import io.github.mcpauthz.it.support.ConsentRealm;
import io.github.mcpauthz.it.support.Http;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.TokenResponse;
import io.github.mcpauthz.it.support.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Consent smuggling between servers: the grant scope of server B ({@code mcp-server:<id>}, the id is no secret) in
 * the {@code scope} of a request for server A must not make the user's "Yes" for A a "Yes" for B. A grant scope in
 * {@code scope} is {@code invalid_scope} (Keycloak's answer for a scope not attached to the client, which grant scopes
 * never are, and the extension's for any name with the reserved prefix); one an admin attached as a default scope is
 * left out of the consent; a refresh gains nothing; registration refuses it; discovery does not list it; a "No"
 * attaches nothing.
 */
@KeycloakIT
class ConsentSmugglingIT {

    private static final User MALLORY = new User("mallory", "mallory");
    private static final String PREFIX = "mcp-server:";

    private static KeycloakEnvironment keycloak;
    private static ConsentRealm realm;
    private static String aliceId;

    @BeforeAll
    static void createRealm(KeycloakEnvironment environment) {
        keycloak = environment;
        realm = ConsentRealm.createLikeSample(keycloak, "consent-smuggling");
        aliceId = realm.userId(ALICE.username());
        keycloak.admin().createUser(realm.name(), MALLORY.username(), MALLORY.password());
    }

    @AfterAll
    static void deleteRealm() {
        ConsentRealm.deleteIfCreated(realm);
    }

    /**
     * The attack of the issue: someone authorized the client for the weather server; a link for the demo server
     * carries the weather server's grant scope. Refused before login, and a consent for the demo server stays one.
     */
    @Test
    void anotherServersGrantScopeInScopeIsInvalidScope() {
        McpClient client = realm.registerAnonymously("smuggling-scope-it");
        String weatherGrant = realm.grantScope(WEATHER_SERVER);
        Outcome mallorys = new ConsentBrowser().authorize(request(client, WEATHER_SERVER, "weather:read"), MALLORY,
                ALLOW);
        assertCode(mallorys, realm.issuer());
        assertEquals(Set.of(), grantScopes(realm.attachedScopes(client.clientId())));

        ConsentBrowser browser = new ConsentBrowser();
        Outcome smuggled = browser.authorize(request(client, DEMO_SERVER, "mcp:tools " + weatherGrant), ALICE, ALLOW);

        assertErrorRedirect(smuggled, "invalid_scope", realm.issuer());
        assertNothingShown(smuggled);
        assertNull(realm.consent(aliceId, client.clientId()), () -> realm.consents(aliceId).describe());

        Outcome demo = browser.authorize(request(client, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);
        assertCode(demo, realm.issuer());
        assertConsentPage(demo, DEMO_ITEM, DEMO_TOOLS_ITEM, CLIENT_ITEM);
        assertEquals(Set.of(realm.grantScope(DEMO_SERVER), "mcp:tools", client.clientId()),
                realm.grantedScopes(aliceId, client.clientId()));
        Outcome passiveWeather = browser.authorize(passiveRequest(client, WEATHER_SERVER, "weather:read"), ALICE,
                ALLOW);
        assertErrorRedirect(passiveWeather, "consent_required", realm.issuer());
        assertNothingShown(passiveWeather);
        assertEquals(Set.of(), grantScopes(realm.attachedScopes(client.clientId())));
    }

    /** Even attached to the client by an admin, another server's grant scope in {@code scope} is refused. */
    @Test
    void anotherServersGrantScopeAttachedToTheClientIsStillInvalidScope() {
        McpClient client = realm.registerAnonymously("smuggling-attached-it");
        String weatherGrant = grantScopeMadeByAConsent(WEATHER_SERVER);
        realm.attachScope(client.clientId(), weatherGrant, false);

        Outcome smuggled = new ConsentBrowser().authorize(request(client, DEMO_SERVER, "mcp:tools " + weatherGrant),
                ALICE, ALLOW);

        assertErrorRedirect(smuggled, "invalid_scope", realm.issuer());
        assertEquals("scope must not name an MCP server grant scope (mcp-server:...); consent to an MCP server is "
                + "asked for by its resource", smuggled.response().errorDescription(), smuggled::describe);
        assertNothingShown(smuggled);
        assertNull(realm.consent(aliceId, client.clientId()), () -> realm.consents(aliceId).describe());
    }

    /**
     * A grant scope an admin attached to the client as a default scope (so requested without being named) is left out
     * of the consent: the page names only the request's server and only its grant is stored. Keycloak then refuses
     * the code exchange, as for any default scope the user has not consented to: the client gets nothing.
     */
    @Test
    void anotherServersGrantScopeAttachedAsDefaultIsLeftOutOfTheConsent() {
        McpClient client = realm.registerAnonymously("smuggling-default-it");
        String weatherGrant = grantScopeMadeByAConsent(WEATHER_SERVER);
        realm.attachScope(client.clientId(), weatherGrant, true);
        ConsentBrowser browser = new ConsentBrowser();

        Outcome demo = browser.authorize(request(client, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);

        assertCode(demo, realm.issuer());
        assertConsentPage(demo, DEMO_ITEM, DEMO_TOOLS_ITEM, CLIENT_ITEM);
        assertEquals(Set.of(realm.grantScope(DEMO_SERVER), "mcp:tools", client.clientId()),
                realm.grantedScopes(aliceId, client.clientId()));
        TokenResponse exchanged = client.exchange(demo.response(), DEMO_SERVER);
        assertEquals(400, exchanged.status(), exchanged::describe);
        assertEquals("invalid_scope", exchanged.error(), exchanged::describe);
        assertNull(exchanged.accessToken(), exchanged::describe);
        Outcome passiveWeather = browser.authorize(passiveRequest(client, WEATHER_SERVER, "weather:read"), ALICE,
                ALLOW);
        assertErrorRedirect(passiveWeather, "consent_required", realm.issuer());
        assertEquals("The user has not consented to this client for " + WEATHER_SERVER,
                passiveWeather.response().errorDescription(), passiveWeather::describe);
    }

    /**
     * A refresh asking for another server's grant scope is refused ({@code invalid_scope}: Keycloak's answer for a
     * scope the client does not have) and changes nothing: no consent, and the refresh token still works as before.
     */
    @Test
    void refreshingWithAGrantScopeGainsNothing() {
        McpClient client = realm.registerAnonymously("smuggling-refresh-it");
        ConsentBrowser browser = new ConsentBrowser();
        Outcome demo = browser.authorize(request(client, DEMO_SERVER, "mcp:tools"), ALICE, ALLOW);
        assertCode(demo, realm.issuer());
        TokenResponse tokens = client.exchange(demo.response(), DEMO_SERVER);
        assertTokenFor(tokens, client, DEMO_SERVER, "mcp:tools");

        TokenResponse refreshed = client.refreshRequest(tokens.refreshToken())
                .set("scope", "mcp:tools " + realm.grantScope(WEATHER_SERVER)).send();

        assertEquals(400, refreshed.status(), refreshed::describe);
        assertEquals("invalid_scope", refreshed.error(), refreshed::describe);
        assertNull(refreshed.accessToken(), refreshed::describe);
        assertTokenFor(client.refresh(tokens.refreshToken()), client, DEMO_SERVER, "mcp:tools");
        assertEquals(Set.of(realm.grantScope(DEMO_SERVER), "mcp:tools", client.clientId()),
                realm.grantedScopes(aliceId, client.clientId()));
        Outcome passiveWeather = browser.authorize(passiveRequest(client, WEATHER_SERVER, "weather:read"), ALICE,
                ALLOW);
        assertErrorRedirect(passiveWeather, "consent_required", realm.issuer());
    }

    /** "No" for a server leaves no grant scope attached to the client and no consent. */
    @Test
    void denyingAttachesNothing() {
        McpClient client = realm.registerAnonymously("smuggling-deny-it");

        Outcome denied = new ConsentBrowser().authorize(request(client, WEATHER_SERVER, "weather:read"), ALICE, DENY);

        assertErrorRedirect(denied, "access_denied", realm.issuer());
        assertConsentPage(denied, WEATHER_ITEM, WEATHER_READ_ITEM, CLIENT_ITEM);
        assertNull(realm.consent(aliceId, client.clientId()), () -> realm.consents(aliceId).describe());
        assertEquals(Set.of(), grantScopes(realm.attachedScopes(client.clientId())));
    }

    /** Dynamic registration refuses a grant scope in {@code scope}: 400 {@code invalid_client_metadata}, no client. */
    @ParameterizedTest
    @ValueSource(strings = {"mcp-server:", "MCP-Server:"})
    void registrationRefusesAGrantScopeInScope(String prefix) {
        int before = keycloak.admin().countClients(realm.name());
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("client_name", "smuggling-registration-it");
        metadata.put("redirect_uris", List.of(McpClient.loopbackRedirectUri()));
        metadata.put("token_endpoint_auth_method", "none");
        metadata.put("scope", "mcp:tools " + prefix + realm.serverId(WEATHER_SERVER));

        HttpResult result = Http.postJson(ClientRegistration.endpoint(realm.issuer()), null, metadata);

        ClientRegistration.assertError(result, 400, "invalid_client_metadata");
        assertTrue(result.json().path("error_description").asText().contains("must not name an MCP server grant scope"),
                result::describe);
        assertEquals(before, keycloak.admin().countClients(realm.name()), "no client created");
    }

    /** {@code scopes_supported} lists the servers' scopes, never a grant scope; the grant scopes say so themselves. */
    @ParameterizedTest
    @ValueSource(strings = {"openid-configuration", "oauth-authorization-server"})
    void discoveryDoesNotListGrantScopes(String document) {
        String url = document.equals("openid-configuration")
                ? realm.issuer() + "/.well-known/openid-configuration"
                : keycloak.baseUrl() + "/.well-known/oauth-authorization-server/realms/" + realm.name();
        HttpResult result = Http.get(url, null);
        assertEquals(200, result.status(), result::describe);
        List<String> supported = new ArrayList<>();
        result.json().path("scopes_supported").forEach(scope -> supported.add(scope.asText()));

        assertTrue(supported.containsAll(List.of("openid", "mcp:tools", "weather:read")), supported::toString);
        assertEquals(List.of(), supported.stream().filter(s -> s.toLowerCase().startsWith(PREFIX)).toList());
        for (String server : List.of(DEMO_SERVER, WEATHER_SERVER)) {
            JsonNode grant = realm.clientScope(grantScopeMadeByAConsent(server));
            assertNotNull(grant, server);
            assertEquals("false", grant.path("attributes").path("include.in.openid.provider.metadata").asText(),
                    grant::toString);
            assertEquals(realm.serverId(server), grant.path("attributes").path("mcp.server.id").asText(),
                    grant::toString);
        }
    }

    /**
     * The server's grant scope, made (if no earlier test did) the way it is made: by the first consent asked for the
     * server (Mallory allows a client of her own). Grant scopes do not exist before that.
     */
    private static String grantScopeMadeByAConsent(String server) {
        McpClient client = realm.registerAnonymously("smuggling-grant-maker-it");
        assertCode(new ConsentBrowser().authorize(request(client, server, server.equals(WEATHER_SERVER) ? "weather:read"
                : "mcp:tools"), MALLORY, ALLOW), realm.issuer());
        String name = realm.grantScope(server);
        assertNotNull(realm.clientScope(name), name);
        return name;
    }

    private static Set<String> grantScopes(Set<String> scopeNames) {
        return scopeNames.stream().filter(name -> name.startsWith(PREFIX)).collect(Collectors.toSet());
    }
}
