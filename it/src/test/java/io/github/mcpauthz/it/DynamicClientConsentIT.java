package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.AuthorizationResponse;
import io.github.mcpauthz.it.support.ClientRegistration;
import io.github.mcpauthz.it.support.ClientRegistration.Registered;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.McpTestRealm;
import io.github.mcpauthz.it.support.TokenResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that registered itself is not trusted with a user's account until the user says so: the consent page is
 * shown on its first login (even when it asks for no scope at all), remembered for that client only, and asked again
 * for a new registration that merely looks the same. What the realm stores shows the client is locked down (consent,
 * no full scope, PKCE S256) and where it came from.
 */
@KeycloakIT
class DynamicClientConsentIT {

    private static KeycloakEnvironment keycloak;
    private static McpTestRealm realm;
    private static AdminApi admin;

    @BeforeAll
    static void createRealm(KeycloakEnvironment environment) {
        keycloak = environment;
        realm = McpTestRealm.create(keycloak, "dcr-consent").withoutAnonymousRateLimit();
        admin = realm.admin();
    }

    @AfterAll
    static void deleteRealm() {
        McpTestRealm.close(realm);
    }

    @Test
    void consentIsAskedOnFirstLoginWithoutAnyScopeAndThenRemembered() {
        McpClient client = realm.registerPublicClient("Consent once");

        AuthorizationResponse first = client.authorize(client.authorizationRequest(), realm.user());

        assertNotNull(first.code(), first::describe);
        assertTrue(first.loginShown(), first::describe);
        assertTrue(first.consentShown(), "a request without scope must still ask for consent: " + first.describe());
        assertEquals(200, client.exchange(first).status());
        assertTrue(consentedClients().contains(client.clientId()), "consent stored: " + consentedClients());

        AuthorizationResponse second = client.authorize(client.authorizationRequest(), realm.user());

        assertNotNull(second.code(), second::describe);
        assertTrue(second.loginShown(), "a fresh browser logs in again: " + second.describe());
        assertFalse(second.consentShown(), "consent is remembered for this client: " + second.describe());
    }

    @Test
    void newRegistrationWithTheSameNameAndRedirectIsAskedAgain() {
        String redirectUri = "http://127.0.0.1:47110/callback";
        Map<String, Object> metadata = ClientRegistration.sdkMetadata("Look-alike client", redirectUri, null);
        McpClient original = realm.registerOrFail(metadata).publicClient(redirectUri);
        AuthorizationResponse first = original.authorize(original.authorizationRequest(), realm.user());
        assertTrue(first.consentShown(), first::describe);
        assertNotNull(first.code(), first::describe);

        McpClient lookAlike = realm.registerOrFail(metadata).publicClient(redirectUri);
        assertNotEquals(original.clientId(), lookAlike.clientId());
        AuthorizationResponse again = lookAlike.authorize(lookAlike.authorizationRequest(), realm.user());

        assertNotNull(again.code(), again::describe);
        assertTrue(again.consentShown(), "consent belongs to a client id, not to a name: " + again.describe());
    }

    @Test
    void anonymousClientIsStoredLockedDownWithItsProvenance() {
        String redirectUri = McpClient.loopbackRedirectUri();
        Map<String, Object> metadata = ClientRegistration.sdkMetadata("Provenance client", redirectUri, null);
        metadata.put("application_type", "native");
        metadata.put("software_id", "com.example.provenance");
        metadata.put("software_version", "0.9.0");
        long before = System.currentTimeMillis() / 1000;

        Registered registered = realm.registerOrFail(metadata);

        long after = System.currentTimeMillis() / 1000;
        JsonNode client = admin.clientByClientId(realm.name(), registered.clientId());
        assertLockedDown(client);
        assertTrue(client.path("publicClient").asBoolean(), client::toString);
        JsonNode attributes = client.path("attributes");
        assertEquals("dcr-anonymous", attributes.path("mcp.registration.method").asText(), attributes::toString);
        long time = Long.parseLong(attributes.path("mcp.registration.time").asText("0"));
        assertTrue(time >= before - 5 && time <= after + 5, "registration time " + time + " not within ["
                + before + ", " + after + "]: " + attributes);
        String address = attributes.path("mcp.registration.address").asText();
        assertFalse(address.isBlank(), attributes::toString);
        if (!keycloak.runtime().equals("container")) {
            assertEquals("127.0.0.1", address, attributes::toString);
        }
        assertEquals("com.example.provenance", attributes.path("mcp.software.id").asText(), attributes::toString);
        assertEquals("0.9.0", attributes.path("mcp.software.version").asText(), attributes::toString);
        assertEquals("127.0.0.1", attributes.path("mcp.redirect.hosts").asText(), attributes::toString);
        assertEquals("native", attributes.path("mcp.application.type").asText(), attributes::toString);
    }

    @Test
    void initialAccessTokenClientIsStoredLockedDownAndMarkedAsSuch() {
        String token = admin.createInitialAccessToken(realm.name());
        String redirectUri = "https://app.example.com/oauth/callback";

        Registered registered = ClientRegistration.registerOrFail(realm.issuer(), token,
                ClientRegistration.webMetadata("Hosted client", redirectUri, "client_secret_post"));

        JsonNode client = admin.clientByClientId(realm.name(), registered.clientId());
        assertLockedDown(client);
        assertFalse(client.path("publicClient").asBoolean(), client::toString);
        JsonNode attributes = client.path("attributes");
        assertEquals("dcr-initial-access-token", attributes.path("mcp.registration.method").asText(), attributes::toString);
        assertEquals("app.example.com", attributes.path("mcp.redirect.hosts").asText(), attributes::toString);
        assertEquals("web", attributes.path("mcp.application.type").asText(), attributes::toString);
    }

    @Test
    void adminsSeeDynamicClientsButNotTheirOwn() {
        McpClient dynamic = realm.registerPublicClient("Listed client");
        String adminMade = "admin-made-" + System.nanoTime();
        Map<String, Object> rep = new LinkedHashMap<>();
        rep.put("clientId", adminMade);
        rep.put("publicClient", true);
        rep.put("redirectUris", List.of("http://127.0.0.1/callback"));
        admin.createClient(realm.name(), rep);

        HttpResult listed = admin.dynamicClients(realm.name());

        assertEquals(200, listed.status(), listed::describe);
        JsonNode entry = null;
        List<String> ids = new ArrayList<>();
        for (JsonNode client : listed.json()) {
            ids.add(client.path("clientId").asText());
            if (dynamic.clientId().equals(client.path("clientId").asText())) {
                entry = client;
            }
        }
        assertNotNull(entry, "dynamic client not listed: " + listed.describe());
        assertFalse(ids.contains(adminMade), "admin-made client listed as dynamic: " + ids);
        assertEquals("Listed client", entry.path("name").asText(), entry::toString);
        assertEquals("dcr-anonymous", entry.path("mcp.registration.method").asText(), entry::toString);
        assertFalse(entry.path("mcp.registration.time").asText().isBlank(), entry::toString);
        assertEquals("127.0.0.1", entry.path("mcp.redirect.hosts").asText(), entry::toString);
        assertTrue(entry.path("publicClient").asBoolean(), entry::toString);
    }

    /** The dynamic client of a consented login gets a token for the server it asked for; a sanity check of the realm. */
    @Test
    void consentedClientGetsItsToken() {
        McpClient client = realm.registerPublicClient("Token after consent");

        TokenResponse tokens = client.login(realm.user(), McpTestRealm.SERVER, null);

        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(McpTestRealm.SERVER), tokens.audience());
    }

    static void assertLockedDown(JsonNode client) {
        assertTrue(client.path("consentRequired").asBoolean(), "consentRequired: " + client);
        assertFalse(client.path("fullScopeAllowed").asBoolean(true), "fullScopeAllowed: " + client);
        assertTrue(client.path("standardFlowEnabled").asBoolean(), "standardFlowEnabled: " + client);
        assertFalse(client.path("implicitFlowEnabled").asBoolean(true), "implicitFlowEnabled: " + client);
        assertFalse(client.path("directAccessGrantsEnabled").asBoolean(true), "directAccessGrantsEnabled: " + client);
        assertFalse(client.path("serviceAccountsEnabled").asBoolean(true), "serviceAccountsEnabled: " + client);
        JsonNode attributes = client.path("attributes");
        assertEquals("S256", attributes.path("pkce.code.challenge.method").asText(), attributes::toString);
        assertEquals("true", attributes.path("display.on.consent.screen").asText(), attributes::toString);
        assertEquals("true", attributes.path("mcp.dynamic").asText(), attributes::toString);
    }

    private static List<String> consentedClients() {
        List<String> ids = new ArrayList<>();
        admin.userConsents(realm.name(), admin.userId(realm.name(), realm.user().username()))
                .forEach(consent -> ids.add(consent.path("clientId").asText()));
        return ids;
    }
}
