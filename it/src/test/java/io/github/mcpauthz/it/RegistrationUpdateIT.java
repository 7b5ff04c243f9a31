package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.AuthorizationResponse;
import io.github.mcpauthz.it.support.ClientAuthentication;
import io.github.mcpauthz.it.support.ClientRegistration;
import io.github.mcpauthz.it.support.ClientRegistration.Registered;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.McpTestRealm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 7592 updates with the registration access token go through the same rules as a registration: a bad redirect
 * or a weakening change is refused and the stored client stays as it was; a valid update keeps the client locked
 * down. Keycloak's other registration provider ({@code clients-registrations/default}, which takes a Keycloak
 * ClientRepresentation) cannot be used to switch consent off either.
 */
@KeycloakIT
class RegistrationUpdateIT {

    private static KeycloakEnvironment keycloak;
    private static McpTestRealm realm;
    private static AdminApi admin;

    @BeforeAll
    static void createRealm(KeycloakEnvironment environment) {
        keycloak = environment;
        realm = McpTestRealm.create(keycloak, "dcr-update").withoutAnonymousRateLimit();
        admin = realm.admin();
    }

    @AfterAll
    static void deleteRealm() {
        McpTestRealm.close(realm);
    }

    static Stream<Arguments> refusedUpdates() {
        return Stream.of(
                refused("redirect to a public http host", "invalid_redirect_uri",
                        m -> m.put("redirect_uris", List.of("http://evil.example/cb"))),
                refused("wildcard redirect", "invalid_redirect_uri",
                        m -> m.put("redirect_uris", List.of("https://evil.example/*"))),
                refused("no redirect", "invalid_redirect_uri", m -> m.remove("redirect_uris")),
                refused("implicit grant", "invalid_client_metadata",
                        m -> m.put("grant_types", List.of("authorization_code", "implicit"))),
                refused("token response type", "invalid_client_metadata",
                        m -> m.put("response_types", List.of("code", "token"))),
                refused("client_secret_jwt", "invalid_client_metadata",
                        m -> m.put("token_endpoint_auth_method", "client_secret_jwt")));
    }

    @ParameterizedTest
    @MethodSource("refusedUpdates")
    void refusedUpdateLeavesTheClientAsItWas(String error, Consumer<Map<String, Object>> change) {
        Map<String, Object> metadata = ClientRegistration.sdkMetadata("Update me", "http://127.0.0.1:33418/callback", null);
        Registered registered = realm.registerOrFail(metadata);
        JsonNode before = admin.clientByClientId(realm.name(), registered.clientId());

        Map<String, Object> changed = new LinkedHashMap<>(metadata);
        changed.put("client_id", registered.clientId());
        change.accept(changed);
        HttpResult result = ClientRegistration.update(realm.issuer(), ClientRegistration.OIDC_PROVIDER,
                registered.clientId(), registered.registrationAccessToken(), changed);

        ClientRegistration.assertError(result, 400, error);
        JsonNode after = admin.clientByClientId(realm.name(), registered.clientId());
        assertEquals(before, after, "the stored client changed although the update was refused");
        assertEquals(List.of("http://127.0.0.1/callback"), strings(after.path("redirectUris")));
    }

    @Test
    void validUpdateKeepsTheClientLockedDown() {
        Map<String, Object> metadata = ClientRegistration.sdkMetadata("Before update", "http://127.0.0.1:33418/callback", null);
        metadata.put("software_id", "com.example.updater");
        metadata.put("software_version", "1.0.0");
        Registered registered = realm.registerOrFail(metadata);
        JsonNode before = admin.clientByClientId(realm.name(), registered.clientId());

        Map<String, Object> changed = new LinkedHashMap<>(metadata);
        changed.put("client_id", registered.clientId());
        changed.put("client_name", "After update");
        changed.put("redirect_uris", List.of("http://127.0.0.1:5555/callback2"));
        changed.put("software_version", "2.0.0");
        HttpResult result = ClientRegistration.update(realm.issuer(), ClientRegistration.OIDC_PROVIDER,
                registered.clientId(), registered.registrationAccessToken(), changed);

        assertEquals(200, result.status(), result::describe);
        assertEquals(List.of("http://127.0.0.1/callback2"), strings(result.json().path("redirect_uris")), result::describe);
        JsonNode after = admin.clientByClientId(realm.name(), registered.clientId());
        DynamicClientConsentIT.assertLockedDown(after);
        assertEquals("After update", after.path("name").asText(), after::toString);
        assertEquals(List.of("http://127.0.0.1/callback2"), strings(after.path("redirectUris")));
        JsonNode attributes = after.path("attributes");
        assertEquals("2.0.0", attributes.path("mcp.software.version").asText(), attributes::toString);
        assertEquals("com.example.updater", attributes.path("mcp.software.id").asText(), attributes::toString);
        for (String kept : List.of("mcp.registration.method", "mcp.registration.time", "mcp.registration.address")) {
            assertEquals(before.path("attributes").path(kept), attributes.path(kept), "changed by the update: " + kept);
        }

        McpClient client = McpClient.of(realm.issuer(), registered.clientId(), "http://127.0.0.1:40404/callback2",
                ClientAuthentication.none());
        AuthorizationResponse authorization = client.authorize(client.authorizationRequest(), realm.user());
        assertNotNull(authorization.code(), "the updated loopback redirect works with any port: " + authorization.describe());
        assertTrue(authorization.consentShown(), authorization::describe);
    }

    /**
     * The harmless body (consent stays on) shows the MCP policy refuses every update through Keycloak's own
     * provider: MCP clients are managed with RFC 7591 metadata only.
     */
    @Test
    void keycloakProviderUpdateIsRefusedAsInvalidMetadata() {
        Registered registered = realm.registerOrFail(
                ClientRegistration.sdkMetadata("Default provider", "http://127.0.0.1:33418/callback", null));

        HttpResult result = ClientRegistration.update(realm.issuer(), ClientRegistration.DEFAULT_PROVIDER,
                registered.clientId(), registered.registrationAccessToken(), keycloakRepresentation(registered, true));

        ClientRegistration.assertError(result, 400, "invalid_client_metadata");
    }

    /**
     * {@code consentRequired:false} through Keycloak's own provider is refused with 400 invalid_client_metadata, and
     * consent stays required. Keycloak runs a realm's registration policies in an order that differs from realm to
     * realm, so this is checked in several fresh realms: the answer must not depend on which policy runs first.
     */
    @Test
    void keycloakProviderCannotSwitchConsentOff() {
        List<String> outcomes = new ArrayList<>();
        boolean allInvalidMetadata = true;
        for (int i = 0; i < 4; i++) {
            McpTestRealm fresh = i == 0 ? realm : McpTestRealm.create(keycloak, "dcr-update-default");
            try {
                Registered registered = fresh.registerOrFail(
                        ClientRegistration.sdkMetadata("Consent off", "http://127.0.0.1:33418/callback", null));

                HttpResult result = ClientRegistration.update(fresh.issuer(), ClientRegistration.DEFAULT_PROVIDER,
                        registered.clientId(), registered.registrationAccessToken(),
                        keycloakRepresentation(registered, false));

                outcomes.add(fresh.name() + ": " + result.status() + " " + result.body());
                allInvalidMetadata &= result.status() == 400
                        && "invalid_client_metadata".equals(result.json().path("error").asText());
                JsonNode stored = admin.clientByClientId(fresh.name(), registered.clientId());
                assertTrue(stored.path("consentRequired").asBoolean(), "consent switched off in " + fresh + ": " + stored);
            } finally {
                if (fresh != realm) {
                    fresh.close();
                }
            }
        }
        assertTrue(allInvalidMetadata, "expected 400 invalid_client_metadata in every realm:\n  "
                + String.join("\n  ", outcomes));
    }

    private static Map<String, Object> keycloakRepresentation(Registered registered, boolean consentRequired) {
        Map<String, Object> rep = new LinkedHashMap<>();
        rep.put("clientId", registered.clientId());
        rep.put("consentRequired", consentRequired);
        rep.put("publicClient", true);
        rep.put("redirectUris", List.of("http://127.0.0.1/callback"));
        return rep;
    }

    private static Arguments refused(String name, String error, Consumer<Map<String, Object>> change) {
        return Arguments.argumentSet(name, error, change);
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
