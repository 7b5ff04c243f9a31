package io.github.mcpauthz.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.keycloak.component.ComponentModel;

class McpServerExchangeSettingsTest {

    private static ComponentModel model(String clientId, List<String> audiences) {
        ComponentModel model = new ComponentModel();
        model.setId("files");
        model.put(McpServerConfig.RESOURCE, "https://files.example.com/mcp");
        if (clientId != null) {
            model.put(McpServerConfig.CLIENT_ID, clientId);
        }
        if (audiences != null) {
            model.getConfig().put(McpServerConfig.EXCHANGE_AUDIENCES, new ArrayList<>(audiences));
        }
        return model;
    }

    @Test
    void withoutSettingsAServerHasNoExchange() throws Exception {
        McpServer server = McpServerConfig.toServer(model(null, null));
        assertNull(server.clientId());
        assertEquals(List.of(), server.exchangeAudiences());
    }

    @Test
    void settingsAreStrippedAndDeduplicated() throws Exception {
        McpServer server = McpServerConfig.toServer(model(" files-server ",
                List.of(" https://mail.example.com/mcp", "internal-api", "", "internal-api")));
        assertEquals("files-server", server.clientId());
        assertEquals(List.of("https://mail.example.com/mcp", "internal-api"), server.exchangeAudiences());
    }

    @Test
    void invalidSettingsAreDroppedWhenReadButNeverTakeTheServerOut() throws Exception {
        McpServer server = McpServerConfig.toServer(model("two words", List.of("ok", "bad\u0000value", "x".repeat(300))));
        assertEquals("https://files.example.com/mcp", server.audience());
        assertNull(server.clientId());
        assertEquals(List.of("ok"), server.exchangeAudiences());
    }

    @Test
    void identifiersRefuseWhitespaceControlAndFormatCharactersAndLength() {
        assertNull(McpServerConfig.invalidIdentifier("internal-api", "audience"));
        assertNull(McpServerConfig.invalidIdentifier("https://" + "a".repeat(2000) + ".example/mcp", "audience"));
        assertEquals("audience 'a?b' contains whitespace or control characters",
                McpServerConfig.invalidIdentifier("a b", "audience"));
        assertEquals("audience 'a?b' contains whitespace or control characters",
                McpServerConfig.invalidIdentifier("a\u202Eb", "audience"));
        assertEquals("client ID is longer than 255 characters",
                McpServerConfig.invalidIdentifier("c".repeat(256), "client ID"));
    }
}
