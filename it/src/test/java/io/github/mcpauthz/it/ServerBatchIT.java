package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.ConsentRealm;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.TokenResponse;
import io.github.mcpauthz.it.support.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST mcp-authz/servers/batch}: many servers in one request, all or nothing. A refused batch names the bad
 * entry and creates nothing; an accepted one is usable at once.
 */
@KeycloakIT
class ServerBatchIT {

    private static KeycloakEnvironment keycloak;
    private static ConsentRealm realm;

    @BeforeAll
    static void createRealm(KeycloakEnvironment environment) {
        keycloak = environment;
        realm = ConsentRealm.createLikeSample(environment, "batch");
    }

    @AfterAll
    static void deleteRealm() {
        ConsentRealm.deleteIfCreated(realm);
    }

    private static HttpResult batch(Object body) {
        return keycloak.admin().post("/admin/realms/" + realm.name() + "/mcp-authz/servers/batch", body);
    }

    private static Set<String> resources() {
        Set<String> out = new HashSet<>();
        AdminApi.expect(keycloak.admin().get("/admin/realms/" + realm.name() + "/mcp-authz/servers"), 200).json()
                .forEach(s -> out.add(s.path("resource").asText()));
        return out;
    }

    private static Map<String, Object> server(String resource, String scope) {
        return Map.of("resource", resource, "name", "Batch " + resource, "scopes", List.of(scope));
    }

    @Test
    void aBatchIsRegisteredAndUsableAtOnce() {
        List<Object> servers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            servers.add(server("https://batch-" + i + ".example.com/mcp", "batch" + i + ":read"));
        }
        HttpResult result = AdminApi.expect(batch(servers), 201);
        assertEquals(50, result.json().size(), result::describe);
        assertTrue(resources().containsAll(Set.of("https://batch-0.example.com/mcp", "https://batch-49.example.com/mcp")));
        // Nothing is created per server at registration: the scope is made when the first client gets it.
        assertNull(realm.clientScope("batch7:read"));

        McpClient client = realm.registerAnonymously("batch client");
        TokenResponse tokens = client.login(User.ALICE, "https://batch-7.example.com/mcp", "batch7:read");
        assertEquals(200, tokens.status(), tokens::describe);
        assertNotNull(realm.clientScope("batch7:read"));
        assertNull(realm.clientScope("batch8:read"));
        assertEquals(List.of("https://batch-7.example.com/mcp"), tokens.audience());
        assertTrue(tokens.accessTokenClaims().path("scope").asText().contains("batch7:read"), tokens::describe);
    }

    @Test
    void aBadEntryRefusesTheWholeBatch() {
        Set<String> before = resources();
        assertRefused(batch(List.of(server("https://dup-a.example.com/mcp", "x:read"), server("https://DUP-A.example.com:443/mcp", "x:read"))),
                "entry 1: resource https://dup-a.example.com/mcp is also entry 0");
        assertRefused(batch(List.of(server("https://fine.example.com/mcp", "x:read"), server("https://bad.example.com/mcp#frag", "x:read"))),
                "entry 1: invalid server: ");
        assertRefused(batch(List.of(server("https://fine.example.com/mcp", "x:read"), server("https://reserved.example.com/mcp", "mcp-server:1"))),
                "entry 1: invalid server: ");
        String registered = before.iterator().next();
        assertRefused(batch(List.of(server("https://fine.example.com/mcp", "x:read"), server(registered, "x:read"))),
                "entry 1: An MCP server with resource " + registered + " is already registered");
        assertRefused(batch(Map.of("resource", "https://fine.example.com/mcp")), "The body must be a JSON array of MCP server objects");
        assertRefused(batch(List.of()), "A JSON array of MCP servers is required");
        assertEquals(before, resources());
    }

    private static void assertRefused(HttpResult result, String descriptionStart) {
        assertEquals(400, result.status(), result::describe);
        JsonNode json = result.json();
        assertEquals("invalid_request", json.path("error").asText(), result::describe);
        assertTrue(json.path("error_description").asText().startsWith(descriptionStart), result::describe);
    }
}
