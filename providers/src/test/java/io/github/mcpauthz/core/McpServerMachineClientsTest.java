package io.github.mcpauthz.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import io.github.mcpauthz.core.ResourceBinding.InvalidTargetException;
import org.junit.jupiter.api.Test;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;

/** The per-server list of machine clients: how it is read, validated and indexed, and the rule that uses it. */
class McpServerMachineClientsTest {

    private static final String FILES = "https://files.example.com/mcp";
    private static final String MAIL = "https://mail.example.com/mcp";

    private static ComponentModel model(String id, String resource, List<String> machineClients) {
        ComponentModel model = new ComponentModel();
        model.setId(id);
        model.put(McpServerConfig.RESOURCE, resource);
        if (machineClients != null) {
            model.getConfig().put(McpServerConfig.MACHINE_CLIENTS, new ArrayList<>(machineClients));
        }
        return model;
    }

    private static McpServerIndex index() throws Exception {
        return new McpServerIndex(List.of(
                McpServerConfig.toServer(model("files", FILES, List.of("batch-job", "reporter"))),
                McpServerConfig.toServer(model("mail", MAIL, List.of("reporter")))));
    }

    @Test
    void withoutTheKeyAServerHasNoMachineClients() throws Exception {
        assertEquals(List.of(), McpServerConfig.toServer(model("files", FILES, null)).machineClients());
        McpServer old = new McpServer("x", CanonicalResource.parse(FILES), "x", List.of(), false, null, List.of());
        assertEquals(List.of(), old.machineClients());
    }

    @Test
    void clientIdsAreStrippedDeduplicatedAndSorted() throws Exception {
        McpServer server = McpServerConfig.toServer(model("files", FILES, List.of(" b ", "a", "", "b", "https://agent.example/id")));
        assertEquals(List.of("a", "b", "https://agent.example/id"), server.machineClients());
    }

    @Test
    void invalidClientIdsAreDroppedWhenReadButNeverTakeTheServerOut() throws Exception {
        McpServer server = McpServerConfig.toServer(model("files", FILES, List.of("ok", "two words", "c".repeat(256), "x\u200By")));
        assertEquals(FILES, server.audience());
        assertEquals(List.of("ok"), server.machineClients());
    }

    @Test
    void validationRefusesWhatReadingWouldDrop() {
        assertEquals("Machine client ID 'two?words' contains whitespace or control characters",
                assertThrows(ComponentValidationException.class,
                        () -> McpServerConfig.validateMachineClients(model("f", FILES, List.of("ok", "two words")))).getMessage());
        assertEquals("Machine client ID is longer than 255 characters",
                assertThrows(ComponentValidationException.class,
                        () -> McpServerConfig.validateMachineClients(model("f", FILES, List.of("c".repeat(256))))).getMessage());
        List<String> many = new ArrayList<>();
        for (int i = 0; i <= McpServerConfig.MAX_MACHINE_CLIENTS; i++) {
            many.add("client-" + i);
        }
        assertEquals("At most 100 machine clients per MCP server", assertThrows(ComponentValidationException.class,
                () -> McpServerConfig.validateMachineClients(model("f", FILES, many))).getMessage());
    }

    @Test
    void validationAcceptsEmptyBlankAndRepeatedValues() throws Exception {
        McpServerConfig.validateMachineClients(model("f", FILES, null));
        McpServerConfig.validateMachineClients(model("f", FILES, List.of("", " a ", "a")));
        List<String> exactlyMax = new ArrayList<>();
        for (int i = 0; i < McpServerConfig.MAX_MACHINE_CLIENTS; i++) {
            exactlyMax.add("client-" + i);
        }
        McpServerConfig.validateMachineClients(model("f", FILES, exactlyMax));
    }

    @Test
    void theIndexMapsEachClientToItsServers() throws Exception {
        McpServerIndex index = index();
        assertEquals(List.of("files"), index.machineServers("batch-job").stream().map(McpServer::id).toList());
        assertEquals(List.of("files", "mail"), index.machineServers("reporter").stream().map(McpServer::id).toList());
        assertTrue(index.machineServers("stranger").isEmpty());
        assertTrue(index.machineServers(null).isEmpty());
        assertTrue(index.servedBy("batch-job").isEmpty(), "a machine client is no exchange client");
    }

    @Test
    void aMachineClientGetsExactlyTheServersThatListIt() throws Exception {
        McpServerIndex index = index();
        assertEquals("files", ResourceBinding.forMachineClient(index, "batch-job", false, "HTTPS://files.example.com:443/mcp/").id());
        assertEquals("mail", ResourceBinding.forMachineClient(index, "reporter", false, MAIL).id());
        assertEquals("Client batch-job may not get tokens for MCP server " + MAIL + " with the client credentials grant: "
                        + "it is not one of the server's machine clients",
                assertThrows(InvalidTargetException.class,
                        () -> ResourceBinding.forMachineClient(index, "batch-job", false, MAIL)).getMessage());
        assertEquals("Client stranger may not get tokens for MCP server " + FILES + " with the client credentials grant: "
                        + "it is not one of the server's machine clients",
                assertThrows(InvalidTargetException.class,
                        () -> ResourceBinding.forMachineClient(index, "stranger", false, FILES)).getMessage());
        assertEquals("Unknown resource: https://other.example/mcp is not an MCP server registered in this realm",
                assertThrows(InvalidTargetException.class,
                        () -> ResourceBinding.forMachineClient(index, "batch-job", false, "https://other.example/mcp")).getMessage());
        assertTrue(assertThrows(InvalidTargetException.class,
                () -> ResourceBinding.forMachineClient(index, "batch-job", false, "not a uri")).getMessage()
                .startsWith("Invalid resource: "));
    }

    @Test
    void aDynamicClientIsNeverAMachineClientEvenWhenListed() throws Exception {
        assertEquals("Client batch-job registered itself; only a client an admin created can get tokens for an MCP "
                        + "server with the client credentials grant",
                assertThrows(InvalidTargetException.class,
                        () -> ResourceBinding.forMachineClient(index(), "batch-job", true, FILES)).getMessage());
    }
}
