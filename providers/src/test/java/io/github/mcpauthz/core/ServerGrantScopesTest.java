package io.github.mcpauthz.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class ServerGrantScopesTest {

    private static CanonicalResource resource(String uri) throws Exception {
        return CanonicalResource.parse(uri);
    }

    @Test
    void theGrantIdIsStableForTheSameRealmServerAndResource() throws Exception {
        String id = ServerGrantScopes.id("realm-1", "server-1", resource("https://mcp.example.com/mcp"));
        assertEquals(id, ServerGrantScopes.id("realm-1", "server-1", resource("https://mcp.example.com/mcp")));
        assertEquals(36, id.length());
    }

    @Test
    void respellingTheSameResourceKeepsTheGrant() throws Exception {
        String id = ServerGrantScopes.id("r", "s", resource("https://mcp.example.com/mcp"));
        assertEquals(id, ServerGrantScopes.id("r", "s", resource("HTTPS://MCP.example.com:443/mcp/")));
    }

    @Test
    void anotherResourceServerOrRealmGetsAnotherGrant() throws Exception {
        String id = ServerGrantScopes.id("r", "s", resource("https://mcp.example.com/mcp"));
        assertNotEquals(id, ServerGrantScopes.id("r", "s", resource("https://mcp.example.com/mcp2")));
        assertNotEquals(id, ServerGrantScopes.id("r", "s2", resource("https://mcp.example.com/mcp")));
        assertNotEquals(id, ServerGrantScopes.id("r2", "s", resource("https://mcp.example.com/mcp")));
    }
}
