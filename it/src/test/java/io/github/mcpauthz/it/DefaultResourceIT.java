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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A realm made MCP-ready through the REST API, with a server registered as {@code default}: a flow that sends no
 * {@code resource} gets that server as its audience.
 */
@KeycloakIT
class DefaultResourceIT {

    static final String REALM = "mcp-default-" + Long.toString(System.nanoTime(), 36);
    static final String DEFAULT_SERVER = "https://default.example.com/mcp";
    static final User BOB = new User("bob", "bob-password");

    private static AdminApi admin;
    private static Map<ClientKind, McpClient> clients;

    @BeforeAll
    static void createMcpRealmWithDefaultServer(KeycloakEnvironment keycloak) {
        admin = keycloak.admin();
        admin.createRealm(REALM);
        HttpResult enabled = admin.enableMcp(REALM);
        assertEquals(200, enabled.status(), enabled::describe);
        HttpResult server = admin.registerServer(REALM, DEFAULT_SERVER, "Default MCP server", List.of(), true);
        assertEquals(201, server.status(), server::describe);
        admin.createUser(REALM, BOB.username(), BOB.password());
        clients = ClientKind.createAll(keycloak, REALM, null);
    }

    @AfterAll
    static void deleteRealm() {
        if (admin != null) {
            admin.deleteRealm(REALM);
        }
    }

    @Test
    void enablingAgainChangesNothing() {
        JsonNode before = admin.listServers(REALM).json();

        HttpResult again = admin.enableMcp(REALM);

        assertEquals(200, again.status(), again::describe);
        HttpResult after = admin.listServers(REALM);
        assertEquals(200, after.status(), after::describe);
        assertEquals(before, after.json());
        assertEquals(1, after.json().size(), after::describe);
        JsonNode server = after.json().get(0);
        assertEquals(DEFAULT_SERVER, server.path("resource").asText());
        assertEquals(true, server.path("default").asBoolean(), server::toString);
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void flowWithoutResourceGetsTheDefaultServer(ClientKind kind) {
        McpClient client = clients.get(kind);
        TokenResponse tokens = client.login(BOB, null, null);

        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(DEFAULT_SERVER), tokens.audience(), () -> tokens.accessTokenClaims().toString());
        assertEquals(client.clientId(), tokens.accessTokenClaims().path("azp").asText());

        TokenResponse refreshed = client.refresh(tokens.refreshToken());
        assertEquals(200, refreshed.status(), refreshed::describe);
        assertEquals(List.of(DEFAULT_SERVER), refreshed.audience(), () -> refreshed.accessTokenClaims().toString());
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void flowNamingTheDefaultServerGetsIt(ClientKind kind) {
        McpClient client = clients.get(kind);
        TokenResponse tokens = client.login(BOB, DEFAULT_SERVER, null);

        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(DEFAULT_SERVER), tokens.audience(), () -> tokens.accessTokenClaims().toString());
    }
}
