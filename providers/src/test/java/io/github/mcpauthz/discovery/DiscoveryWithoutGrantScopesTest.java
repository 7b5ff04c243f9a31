package io.github.mcpauthz.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class DiscoveryWithoutGrantScopesTest {

    @Test
    void discoveryDropsReservedNamesOnly() {
        assertEquals(List.of("openid", "mcp:tools", "profile"), DiscoveryWithoutGrantScopes.withoutReserved(
                List.of("openid", "mcp-server:1", "mcp:tools", "MCP-SERVER:2", "profile")));
    }

    @Test
    void serverScopesNotYetClientScopesAreAddedOnce() {
        assertEquals(List.of("openid", "mcp:tools", "a:read", "b:write"), DiscoveryWithoutGrantScopes.withServerScopes(
                List.of("openid", "mcp:tools"), List.of("a:read", "b:write", "mcp:tools")));
    }
}
