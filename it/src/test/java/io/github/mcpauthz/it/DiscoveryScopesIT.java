package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.Http;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.Set;

import static io.github.mcpauthz.it.support.SampleRealm.NAME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both discovery documents of an MCP realm list what an MCP client may request: every registered server's scopes
 * and {@code offline_access} (refresh tokens that outlive the session are offered), never a hidden per-server grant
 * scope; and {@code authorization_response_iss_parameter_supported} stays true.
 */
@KeycloakIT
class DiscoveryScopesIT {

    private static KeycloakEnvironment keycloak;

    @BeforeAll
    static void environment(KeycloakEnvironment environment) {
        keycloak = environment;
    }

    @ParameterizedTest
    @ValueSource(strings = {"openid-configuration", "oauth-authorization-server"})
    void scopesSupportedListsServerScopesAndOfflineAccess(String document) {
        String url = document.equals("openid-configuration")
                ? keycloak.issuer(NAME) + "/.well-known/openid-configuration"
                : keycloak.baseUrl() + "/.well-known/oauth-authorization-server/realms/" + NAME;
        HttpResult result = Http.get(url, null);
        assertEquals(200, result.status(), result::describe);
        JsonNode metadata = result.json();
        Set<String> scopes = new HashSet<>();
        metadata.path("scopes_supported").forEach(scope -> scopes.add(scope.asText()));
        assertTrue(scopes.containsAll(Set.of("mcp:tools", "mcp:resources", "mcp:write", "weather:read", "offline_access")),
                scopes::toString);
        assertFalse(scopes.stream().anyMatch(scope -> scope.toLowerCase().startsWith("mcp-server:")), scopes::toString);
        assertTrue(metadata.path("authorization_response_iss_parameter_supported").asBoolean(), result::describe);
    }
}
