package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.ClientKind;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.TokenResponse;
import io.github.mcpauthz.it.support.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.github.mcpauthz.it.support.SampleRealm.ALL_MCP_SCOPES;
import static io.github.mcpauthz.it.support.SampleRealm.NAME;
import static io.github.mcpauthz.it.support.SampleRealm.REGISTERED_SERVERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In a realm without a default MCP server, a flow that never sends {@code resource} still works, and its token is
 * not valid at any registered MCP server: no server URI in {@code aud}, even when the MCP scopes are requested.
 */
@KeycloakIT
class NoResourceIT {

    private static Map<ClientKind, McpClient> clients;
    private static List<String> registeredServers;

    @BeforeAll
    static void createClients(KeycloakEnvironment keycloak, AdminApi admin) {
        clients = ClientKind.createAll(keycloak, NAME, ALL_MCP_SCOPES);
        HttpResult servers = admin.listServers(NAME);
        assertEquals(200, servers.status(), servers::describe);
        registeredServers = new ArrayList<>(REGISTERED_SERVERS);
        for (JsonNode server : servers.json()) {
            registeredServers.add(server.path("resource").asText());
            assertTrue(!server.path("default").asBoolean(), () -> "the sample realm has no default server: " + server);
        }
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void tokenWithoutResourceNamesNoMcpServer(ClientKind kind) {
        McpClient client = clients.get(kind);
        TokenResponse tokens = client.login(User.ALICE, null, null);

        assertEquals(200, tokens.status(), tokens::describe);
        assertAudience(kind, tokens);

        TokenResponse refreshed = client.refresh(tokens.refreshToken());
        assertEquals(200, refreshed.status(), refreshed::describe);
        assertAudience(kind, refreshed);
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void mcpScopesWithoutResourceNameNoMcpServer(ClientKind kind) {
        McpClient client = clients.get(kind);
        TokenResponse tokens = client.login(User.ALICE, null, ALL_MCP_SCOPES);

        assertEquals(200, tokens.status(), tokens::describe);
        assertAudience(kind, tokens);
    }

    /**
     * Exactly what stock Keycloak puts in {@code aud} here: nothing, for every kind of client (alice holds no client
     * roles in the sample realm, so Keycloak's audience resolver adds none, not even {@code account}).
     */
    private static void assertAudience(ClientKind kind, TokenResponse tokens) {
        assertEquals(List.of(), tokens.audience(), () -> kind + ": " + tokens.accessTokenClaims());
        assertNoServerAudience(tokens);
    }

    private static void assertNoServerAudience(TokenResponse tokens) {
        List<String> audience = tokens.audience();
        for (String server : registeredServers) {
            assertTrue(!audience.contains(server), () -> "aud " + audience + " names " + server + ": "
                    + tokens.accessTokenClaims());
        }
    }
}
