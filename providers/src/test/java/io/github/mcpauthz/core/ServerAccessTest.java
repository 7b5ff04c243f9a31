package io.github.mcpauthz.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import io.github.mcpauthz.core.ServerAccess.ClientRole;
import io.github.mcpauthz.core.ServerAccess.Group;
import io.github.mcpauthz.core.ServerAccess.RealmRole;
import io.github.mcpauthz.core.ServerAccess.TokenRoles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;

class ServerAccessTest {

    @Test
    void entriesAreRealmRolesClientRolesOrGroups() {
        assertEquals(new RealmRole("mcp-user"), ServerAccess.parseEntry(" mcp-user "));
        assertEquals(new RealmRole("role with spaces"), ServerAccess.parseEntry("role with spaces"));
        assertEquals(new ClientRole("files-server", "admin"), ServerAccess.parseEntry("files-server/admin"));
        // Client ids may be URLs (CIMD clients): split at the last slash.
        assertEquals(new ClientRole("https://app.example.com/client.json", "reader"),
                ServerAccess.parseEntry("https://app.example.com/client.json/reader"));
        assertEquals(new Group("/staff"), ServerAccess.parseEntry("/staff"));
        assertEquals(new Group("/staff/engineering"), ServerAccess.parseEntry("/staff/engineering/"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "/", "//staff", "/staff//ops", "client/", "tenant/ ", "a\u0000b", "a\u202Eb"})
    void malformedEntriesAreRefused(String entry) {
        assertThrows(IllegalArgumentException.class, () -> ServerAccess.parseEntry(entry));
    }

    @Test
    void clientRoleNeedsBothParts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerAccess.parseEntry("x/"));
        assertEquals("client role 'x/' must be clientId/role", e.getMessage());
        assertEquals("group '//a' must be a path like /group/subgroup",
                assertThrows(IllegalArgumentException.class, () -> ServerAccess.parseEntry("//a")).getMessage());
    }

    @Test
    void aRuleDropsBlanksAndRepetitionsAndIsCapped() {
        assertEquals(List.of(new RealmRole("a"), new Group("/g")),
                ServerAccess.parseRule(java.util.Arrays.asList("a", "", null, " a ", "/g", "/g/")));
        assertEquals(List.of(), ServerAccess.parseRule(null));
        List<String> many = new ArrayList<>();
        for (int i = 0; i <= ServerAccess.MAX_ENTRIES; i++) {
            many.add("role-" + i);
        }
        assertEquals("at most 50 access rule entries per MCP server",
                assertThrows(IllegalArgumentException.class, () -> ServerAccess.parseRule(many)).getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ServerAccess.parseEntry("r".repeat(ServerAccess.MAX_ENTRY_LENGTH + 1)));
    }

    @Test
    void tokenRolesAreOneOfThreeValues() {
        assertEquals(TokenRoles.NONE, TokenRoles.parse(null));
        assertEquals(TokenRoles.NONE, TokenRoles.parse(" "));
        assertEquals(TokenRoles.SERVER, TokenRoles.parse("server"));
        assertEquals(TokenRoles.REALM, TokenRoles.parse(" Realm "));
        assertEquals("token roles must be none, server or realm, not 'all'",
                assertThrows(IllegalArgumentException.class, () -> TokenRoles.parse("all")).getMessage());
    }

    private static ComponentModel model() {
        ComponentModel model = new ComponentModel();
        model.setId("files");
        model.put(McpServerConfig.RESOURCE, "https://files.example.com/mcp");
        return model;
    }

    @Test
    void aServerWithoutSettingsIsOpenAndGetsNoRoles() throws Exception {
        McpServer server = McpServerConfig.toServer(model());
        assertEquals(ServerAccess.OPEN, server.access());
        assertFalse(server.access().governsTokens());
        McpServerConfig.validateAccessSettings(model());
    }

    @Test
    void settingsAreReadAndTheRolesClientFallsBackToTheExchangeClient() throws Exception {
        ComponentModel model = model();
        model.getConfig().put(McpServerConfig.ACCESS_RULE, new ArrayList<>(List.of("mcp-user", "/staff", "files-server/admin")));
        model.put(McpServerConfig.TOKEN_ROLES, "server");
        model.put(McpServerConfig.CLIENT_ID, "files-server");
        McpServerConfig.validateAccessSettings(model);
        McpServer server = McpServerConfig.toServer(model);
        assertEquals(List.of(new RealmRole("mcp-user"), new Group("/staff"), new ClientRole("files-server", "admin")),
                server.access().rule());
        assertEquals(TokenRoles.SERVER, server.access().tokenRoles());
        assertNull(server.access().rolesClientId());
        assertEquals("files-server", server.rolesClientId());
        assertTrue(server.access().restricted());

        model.put(McpServerConfig.ROLES_CLIENT_ID, " files-roles ");
        assertEquals("files-roles", McpServerConfig.toServer(model).rolesClientId());
    }

    @Test
    void validationRefusesWhatTheServerWouldNotReadAsWritten() {
        ComponentModel badEntry = model();
        badEntry.getConfig().put(McpServerConfig.ACCESS_RULE, new ArrayList<>(List.of("ok", "//bad")));
        assertEquals("Invalid MCP server access settings: group '//bad' must be a path like /group/subgroup",
                assertThrows(ComponentValidationException.class, () -> McpServerConfig.validateAccessSettings(badEntry)).getMessage());

        ComponentModel badRoles = model();
        badRoles.put(McpServerConfig.TOKEN_ROLES, "everything");
        assertEquals("Invalid MCP server access settings: token roles must be none, server or realm, not 'everything'",
                assertThrows(ComponentValidationException.class, () -> McpServerConfig.validateAccessSettings(badRoles)).getMessage());

        ComponentModel noClient = model();
        noClient.put(McpServerConfig.TOKEN_ROLES, "server");
        assertEquals("Token roles 'server' need the server's Keycloak client: set roles-client-id (or exchange-client-id)",
                assertThrows(ComponentValidationException.class, () -> McpServerConfig.validateAccessSettings(noClient)).getMessage());

        ComponentModel badClient = model();
        badClient.put(McpServerConfig.ROLES_CLIENT_ID, "two words");
        assertEquals("Roles client ID 'two?words' contains whitespace or control characters",
                assertThrows(ComponentValidationException.class, () -> McpServerConfig.validateAccessSettings(badClient)).getMessage());
    }

    @Test
    void anUnreadableStoredRuleLetsNobodyInButKeepsTheServer() throws Exception {
        ComponentModel model = model();
        model.getConfig().put(McpServerConfig.ACCESS_RULE, new ArrayList<>(List.of("//bad")));
        McpServer server = McpServerConfig.toServer(model);
        assertEquals("https://files.example.com/mcp", server.audience());
        assertTrue(server.access().restricted());
        assertTrue(server.access().rule().get(0) instanceof ServerAccess.Unreadable);
    }

    @Test
    void theIndexFindsGovernedServersByAnySpellingAndOnlyThem() throws Exception {
        McpServer open = new McpServer("a", CanonicalResource.parse("https://a.example.com/mcp"), "A", List.of(), false);
        McpServer governed = new McpServer("b", CanonicalResource.parse("https://b.example.com/mcp"), "B", List.of(),
                false, null, List.of(), new ServerAccess(List.of(new RealmRole("r")), TokenRoles.NONE, null));
        McpServer roles = new McpServer("c", CanonicalResource.parse("https://c.example.com/mcp"), "C", List.of(),
                false, null, List.of(), new ServerAccess(List.of(), TokenRoles.REALM, null));
        McpServerIndex index = new McpServerIndex(List.of(open, governed, roles));
        assertTrue(index.governedServer("https://a.example.com/mcp").isEmpty());
        assertEquals(governed, index.governedServer("HTTPS://B.example.com:443/mcp/").orElseThrow());
        assertEquals(roles, index.governedServer("https://c.example.com/mcp").orElseThrow());
        assertTrue(index.governedServer("not a uri").isEmpty());
        assertTrue(index.governedServer(null).isEmpty());
        assertTrue(new McpServerIndex(List.of(open)).governedServer("https://a.example.com/mcp").isEmpty());
    }
}
