package io.github.mcpauthz.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class ScopeNamesTest {

    @Test
    void acceptsScopeTokens() {
        assertTrue(ScopeNames.isValid("mcp:tools"));
        assertTrue(ScopeNames.isValid("https://api.example.com/read"));
        assertFalse(ScopeNames.isValid("has space"));
        assertFalse(ScopeNames.isValid("quote\"d"));
        assertFalse(ScopeNames.isValid("back\\slash"));
        assertFalse(ScopeNames.isValid(""));
        assertFalse(ScopeNames.isValid("é"));
    }

    @Test
    void splitsAndDeduplicatesAdminInput() {
        assertEquals(List.of("mcp:resources", "mcp:tools", "x"),
                ScopeNames.normalise(List.of("mcp:tools mcp:resources", "mcp:tools,x", "")));
    }

    @Test
    void namesTheInvalidScope() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScopeNames.normalise(List.of("ok", "bad\"scope")));
        assertEquals("invalid scope name 'bad\"scope'", e.getMessage());
    }

    @Test
    void theGrantScopePrefixIsReservedInAnyCase() {
        assertTrue(ScopeNames.isReserved("mcp-server:0b6e"));
        assertTrue(ScopeNames.isReserved("mcp-server:"));
        assertTrue(ScopeNames.isReserved("MCP-Server:x"));
        assertFalse(ScopeNames.isReserved("mcp-server"));
        assertFalse(ScopeNames.isReserved("mcp:tools"));
        assertFalse(ScopeNames.isReserved("x-mcp-server:y"));
        assertFalse(ScopeNames.isReserved(null));
    }

    @Test
    void findsAReservedNameInAScopeParameter() {
        assertEquals("mcp-server:b", ScopeNames.firstReserved("openid mcp:tools mcp-server:b mcp-server:c"));
        assertEquals(null, ScopeNames.firstReserved("openid mcp:tools"));
        assertEquals(null, ScopeNames.firstReserved(null));
    }

    @Test
    void aServerScopeMayNotUseTheReservedPrefix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScopeNames.normalise(List.of("mcp:tools", "Mcp-Server:other")));
        assertEquals("scope 'Mcp-Server:other' starts with 'mcp-server:', which is reserved for the per-server "
                + "consent grants of keycloak-mcp-authz", e.getMessage());
    }
}
