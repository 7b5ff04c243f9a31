package io.github.mcpauthz.it;

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

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Checks made right after a change of the registry see that change. Each change gives the realm a new registry
 * revision; the next change's validation, which Keycloak runs with the database's view of the realm, then reads the
 * servers from the database in two queries (not through the node's index, which is older than the change, and not one
 * query per server's configuration). These requests follow each other with no other request in between, so every
 * check below runs on that path, and the index it builds then serves the next authorization request.
 */
@KeycloakIT
class RegistryAfterChangeIT {

    private static KeycloakEnvironment keycloak;
    private static AdminApi admin;
    private static ConsentRealm realm;

    @BeforeAll
    static void createRealm(KeycloakEnvironment environment) {
        keycloak = environment;
        admin = environment.admin();
        realm = ConsentRealm.createLikeSample(environment, "after-change");
    }

    @AfterAll
    static void deleteRealm() {
        ConsentRealm.deleteIfCreated(realm);
    }

    @Test
    void theNextChangeAndTheNextAuthorizationSeeAServerRegisteredJustBefore() {
        String resource = "https://after-change-" + System.nanoTime() + ".example.com/mcp";
        AdminApi.expect(admin.registerServer(realm.name(), resource, "After-change server",
                List.of("ac:read", "ac:write"), false), 201);

        HttpResult again = admin.registerServer(realm.name(), resource.toUpperCase().replace("/MCP", "/mcp") + "/",
                "Same server, other spelling", List.of(), false);
        assertRefused(again, "An MCP server with resource " + resource + " is already registered (After-change server)");

        // The refusal built the node's index from the database; it serves this flow, scopes (multi-valued) included.
        McpClient client = realm.registerAnonymously("after-change client");
        TokenResponse tokens = client.login(User.ALICE, resource, "ac:write");
        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(resource), tokens.audience());
        Set<String> scope = new TreeSet<>(Arrays.asList(tokens.accessTokenClaims().path("scope").asText().split(" ")));
        assertEquals(true, scope.contains("ac:write"), scope::toString);
        assertEquals(false, scope.contains("ac:read"), scope::toString);
    }

    @Test
    void aSecondDefaultServerRightAfterTheFirstIsRefused() {
        String first = "https://default-a-" + System.nanoTime() + ".example.com/mcp";
        String firstId = AdminApi.expect(admin.registerServer(realm.name(), first, "First default", List.of(), true), 201)
                .json().path("id").asText();
        try {
            String second = "https://default-b-" + System.nanoTime() + ".example.com/mcp";
            assertRefused(admin.registerServer(realm.name(), second, "Second default", List.of(), true),
                    "MCP server First default is already the default for requests without resource; turn that off first");

            String otherId = AdminApi.expect(admin.registerServer(realm.name(), second, "Not a default", List.of(), false), 201)
                    .json().path("id").asText();
            assertRefused(admin.updateServer(realm.name(), otherId, Map.of("resource", first, "name", "Moved onto the first")),
                    "An MCP server with resource " + first + " is already registered (First default)");
            assertEquals(1, servers(first), "servers at " + first);
            assertEquals(1, servers(second), "servers at " + second);
        } finally {
            admin.deleteServer(realm.name(), firstId);
        }
    }

    private static long servers(String resource) {
        long count = 0;
        for (var server : AdminApi.expect(admin.listServers(realm.name()), 200).json()) {
            if (resource.equals(server.path("resource").asText())) {
                count++;
            }
        }
        return count;
    }

    private static void assertRefused(HttpResult result, String description) {
        assertEquals(400, result.status(), result::describe);
        assertEquals("invalid_request", result.json().path("error").asText(), result::describe);
        assertEquals(description, result.json().path("error_description").asText(), result::describe);
    }
}
