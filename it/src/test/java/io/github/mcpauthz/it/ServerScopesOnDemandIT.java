package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.ConsentRealm;
import io.github.mcpauthz.it.support.Http;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.SampleRealm;
import io.github.mcpauthz.it.support.TokenResponse;
import io.github.mcpauthz.it.support.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server's scopes cost a client nothing until the client is authorized for that server: they are client scopes of
 * the realm but not realm default scopes, a new client carries none of them, and the first authorization request for
 * a server gives the client that server's scopes (and only those). A registration that asks for a server's scopes
 * gets them, past Keycloak's "Allowed Client Scopes" policy.
 */
@KeycloakIT
class ServerScopesOnDemandIT {

    private static final Set<String> SERVER_SCOPES = Set.of("mcp:tools", "mcp:resources", "weather:read");

    private static KeycloakEnvironment keycloak;
    private static ConsentRealm realm;

    @BeforeAll
    static void createRealm(KeycloakEnvironment environment) {
        keycloak = environment;
        realm = ConsentRealm.createLikeSample(environment, "scopes");
    }

    @AfterAll
    static void deleteRealm() {
        ConsentRealm.deleteIfCreated(realm);
    }

    @Test
    void serverScopesExistButAreNoRealmDefaults() {
        for (String scope : SERVER_SCOPES) {
            assertNotNull(realm.clientScope(scope), "client scope " + scope);
        }
        Set<String> defaults = new HashSet<>();
        for (String kind : List.of("default-default-client-scopes", "default-optional-client-scopes")) {
            AdminApi.expect(keycloak.admin().get("/admin/realms/" + realm.name() + "/" + kind), 200).json()
                    .forEach(scope -> defaults.add(scope.path("name").asText()));
        }
        assertTrue(defaults.contains("offline_access"), defaults::toString);
        for (String scope : SERVER_SCOPES) {
            assertFalse(defaults.contains(scope), () -> scope + " is a realm default scope: " + defaults);
        }
    }

    @Test
    void firstAuthorizationGivesTheClientThatServersScopesOnly() {
        McpClient client = register("on-demand client", null);
        Set<String> before = realm.attachedScopes(client.clientId());
        for (String scope : SERVER_SCOPES) {
            assertFalse(before.contains(scope), () -> "new client already has " + scope + ": " + before);
        }

        TokenResponse tokens = client.login(User.ALICE, SampleRealm.DEMO_SERVER, "mcp:tools");
        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(SampleRealm.DEMO_SERVER), tokens.audience());
        Set<String> granted = new HashSet<>(Arrays.asList(tokens.accessTokenClaims().path("scope").asText().split(" ")));
        assertTrue(granted.contains("mcp:tools"), granted::toString);

        Set<String> after = realm.attachedScopes(client.clientId());
        assertTrue(after.containsAll(Set.of("mcp:tools", "mcp:resources")), after::toString);
        assertFalse(after.contains("weather:read"), after::toString);
    }

    @Test
    void registrationAskingForAServersScopeGetsIt() {
        Map<String, Object> metadata = metadata("registers weather:read", "weather:read");
        HttpResult result = AdminApi.expect(
                Http.postJson(realm.issuer() + "/clients-registrations/openid-connect", null, metadata), 201);
        assertEquals("weather:read", result.json().path("scope").asText(), result::describe);
        String clientId = result.json().path("client_id").asText();
        Set<String> attached = realm.attachedScopes(clientId);
        assertTrue(attached.contains("weather:read"), attached::toString);
        assertFalse(attached.contains("mcp:tools"), attached::toString);
        // As for any registration that names its scopes, Keycloak gives it no other realm defaults than basic.
        assertFalse(attached.contains("profile"), attached::toString);
    }

    private static McpClient register(String name, String scope) {
        String redirectUri = McpClient.loopbackRedirectUri();
        HttpResult result = AdminApi.expect(Http.postJson(realm.issuer() + "/clients-registrations/openid-connect", null,
                metadata(name, scope, redirectUri)), 201);
        return McpClient.preRegistered(realm.issuer(), result.json().get("client_id").asText(), null, redirectUri);
    }

    private static Map<String, Object> metadata(String name, String scope) {
        return metadata(name, scope, McpClient.loopbackRedirectUri());
    }

    private static Map<String, Object> metadata(String name, String scope, String redirectUri) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("client_name", name);
        metadata.put("redirect_uris", List.of(redirectUri));
        metadata.put("token_endpoint_auth_method", "none");
        if (scope != null) {
            metadata.put("scope", scope);
        }
        return metadata;
    }
}
