package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.AuthorizationResponse;
import io.github.mcpauthz.it.support.ClientKind;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.RealmJson;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.TokenResponse;
import io.github.mcpauthz.it.support.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.github.mcpauthz.it.support.SampleRealm.DEMO_SERVER;
import static io.github.mcpauthz.it.support.SampleRealm.NAME;
import static io.github.mcpauthz.it.support.SampleRealm.WEATHER_SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The registry of MCP servers behind {@code /admin/realms/{realm}/mcp-authz/servers}: what it lists, what it refuses,
 * and that a change applies to the very next authorization request.
 */
@KeycloakIT
class ServerRegistryIT {

    private static AdminApi admin;
    private static KeycloakEnvironment keycloak;
    private static McpClient client;

    @BeforeAll
    static void createClient(KeycloakEnvironment environment) {
        keycloak = environment;
        admin = keycloak.admin();
        client = ClientKind.DYNAMIC_PUBLIC.create(keycloak, NAME, null);
    }

    @Test
    void listsTheSampleServers() {
        HttpResult result = admin.listServers(NAME);
        assertEquals(200, result.status(), result::describe);

        JsonNode demo = server(result.json(), DEMO_SERVER);
        assertEquals("Demo MCP server", demo.path("name").asText());
        assertEquals(Set.of("mcp:tools", "mcp:resources", "mcp:write"), strings(demo.path("scopes")));
        assertFalse(demo.path("default").asBoolean(), demo::toString);
        assertFalse(demo.path("id").asText().isEmpty(), demo::toString);

        JsonNode weather = server(result.json(), WEATHER_SERVER);
        assertEquals("Weather MCP server", weather.path("name").asText());
        assertEquals(Set.of("weather:read"), strings(weather.path("scopes")));
        assertFalse(weather.path("default").asBoolean(), weather::toString);
    }

    @Test
    void registeredServerIsUsableAtOnceAndRefusedOnceDeleted() {
        String resource = "http://localhost:3002/mcp-" + System.nanoTime();
        HttpResult created = admin.registerServer(NAME, resource, "Short-lived server", List.of(), false);
        assertEquals(201, created.status(), created::describe);
        JsonNode body = created.json();
        String id = body.path("id").asText();
        assertFalse(id.isEmpty(), created::describe);
        assertEquals(resource, body.path("resource").asText());
        assertEquals("Short-lived server", body.path("name").asText());
        assertEquals(0, body.path("scopes").size(), created::describe);
        assertFalse(body.path("default").asBoolean(), created::describe);
        boolean deleted = false;
        try {
            TokenResponse tokens = client.login(User.ALICE, resource, null);
            assertEquals(200, tokens.status(), tokens::describe);
            assertEquals(List.of(resource), tokens.audience(), () -> tokens.accessTokenClaims().toString());

            HttpResult deletion = admin.deleteServer(NAME, id);
            assertTrue(deletion.status() == 204 || deletion.status() == 200, deletion::describe);
            deleted = true;
            assertNull(findServer(admin.listServers(NAME).json(), resource), "still listed after DELETE");

            AuthorizationResponse refused = client.authorize(client.authorizationRequest().resource(resource), User.ALICE);
            assertTrue(refused.redirectedToClient(), refused::describe);
            assertEquals("invalid_target", refused.error(), refused::describe);
            assertNull(refused.code(), refused::describe);
        } finally {
            if (!deleted) {
                admin.deleteServer(NAME, id);
            }
        }
    }

    @Test
    void updateChangesNameAndScopes() {
        String resource = "https://update-" + System.nanoTime() + ".example.com/mcp";
        HttpResult created = admin.registerServer(NAME, resource, "Before", List.of(), false);
        assertEquals(201, created.status(), created::describe);
        String id = created.json().path("id").asText();
        try {
            Map<String, Object> changed = new LinkedHashMap<>();
            changed.put("resource", resource);
            changed.put("name", "After");
            changed.put("scopes", List.of("mcp:tools"));
            changed.put("default", false);

            HttpResult updated = admin.updateServer(NAME, id, changed);

            assertTrue(updated.status() == 200 || updated.status() == 204, updated::describe);
            JsonNode listed = server(admin.listServers(NAME).json(), resource);
            assertEquals("After", listed.path("name").asText(), listed::toString);
            assertEquals(Set.of("mcp:tools"), strings(listed.path("scopes")));
            assertEquals(id, listed.path("id").asText());
        } finally {
            admin.deleteServer(NAME, id);
        }
    }

    /** The registered URI again, and spellings that denote it. */
    @ParameterizedTest
    @ValueSource(strings = {DEMO_SERVER, "HTTP://LOCALHOST:3001/mcp", "http://localhost:3001/mcp/"})
    void duplicateResourceIsRefused(String resource) {
        int before = admin.listServers(NAME).json().size();

        HttpResult result = admin.registerServer(NAME, resource, "Duplicate", List.of(), false);

        assertInvalidRequest(result);
        assertEquals(before, admin.listServers(NAME).json().size(), "nothing registered");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/mcp", "http://localhost:3001/mcp#x", "not a uri", ""})
    void malformedResourceIsRefused(String resource) {
        int before = admin.listServers(NAME).json().size();

        HttpResult result = admin.registerServer(NAME, resource, "Malformed", List.of(), false);

        assertInvalidRequest(result);
        assertEquals(before, admin.listServers(NAME).json().size(), "nothing registered");
    }

    /** The per-server grant scopes use the prefix mcp-server:, so no server scope may start with it. */
    @ParameterizedTest
    @ValueSource(strings = {"mcp-server:other", "MCP-Server:x", "mcp-server:"})
    void scopeWithTheReservedPrefixIsRefused(String scope) {
        int before = admin.listServers(NAME).json().size();
        String resource = "https://reserved-" + System.nanoTime() + ".example.com/mcp";

        HttpResult created = admin.registerServer(NAME, resource, "Reserved", List.of("mcp:tools", scope), false);

        assertInvalidRequest(created);
        assertTrue(created.json().path("error_description").asText().contains("starts with 'mcp-server:', which is "
                + "reserved"), created::describe);
        assertEquals(before, admin.listServers(NAME).json().size(), "nothing registered");
        assertNull(findServer(admin.listServers(NAME).json(), resource));

        String demoId = server(admin.listServers(NAME).json(), DEMO_SERVER).path("id").asText();
        HttpResult updated = admin.updateServer(NAME, demoId, Map.of("scopes", List.of("mcp:tools", scope)));
        assertInvalidRequest(updated);
        assertEquals(Set.of("mcp:tools", "mcp:resources", "mcp:write"),
                strings(server(admin.listServers(NAME).json(), DEMO_SERVER).path("scopes")), "demo server unchanged");
    }

    /**
     * A realm JSON with such a server is refused as a whole: no realm. Keycloak answers 500 for a component that fails
     * validation during {@code POST /admin/realms} (its import handler catches only model exceptions), as it does for
     * a malformed resource; the server log names the reason.
     */
    @Test
    void realmImportWithAReservedScopeIsRefused() {
        String realm = RealmJson.uniqueName("reserved-import");
        Map<String, Object> representation = RealmJson.mcpRealm(realm)
                .server("Reserved", "https://reserved.example.com/mcp", List.of("mcp:tools", "mcp-server:smuggled")).build();

        HttpResult result = admin.post("/admin/realms", representation);

        try {
            assertEquals(500, result.status(), result::describe);
            assertEquals(404, admin.get("/admin/realms/" + realm).status(), "no realm created");
        } finally {
            if (result.status() == 201) {
                admin.deleteRealm(realm);
            }
        }
    }

    private static void assertInvalidRequest(HttpResult result) {
        assertEquals(400, result.status(), result::describe);
        assertEquals("invalid_request", result.json().path("error").asText(), result::describe);
        assertFalse(result.json().path("error_description").asText().isBlank(), result::describe);
    }

    private static JsonNode server(JsonNode servers, String resource) {
        JsonNode found = findServer(servers, resource);
        assertNotNull(found, () -> resource + " not in " + servers);
        return found;
    }

    private static JsonNode findServer(JsonNode servers, String resource) {
        for (JsonNode server : servers) {
            if (resource.equals(server.path("resource").asText())) {
                return server;
            }
        }
        return null;
    }

    private static Set<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return new TreeSet<>(values);
    }
}
