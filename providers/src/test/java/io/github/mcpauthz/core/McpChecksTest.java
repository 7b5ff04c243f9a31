package io.github.mcpauthz.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class McpChecksTest {

    private final List<String> ran = new ArrayList<>();

    @AfterEach
    void unregister() {
        McpChecks.register(List.of(), List.of());
    }

    @Test
    void authorizationChecksRunInOrderAndTheFirstRefusalWins() {
        McpChecks.register(List.of(
                r -> ran.add("resource"),
                r -> {
                    ran.add("scope");
                    throw new McpRejection("invalid_scope", "no grant scopes", "invalid_scope", null, Map.of("k", "v"));
                },
                r -> ran.add("consent")), List.of());
        McpRejection e = assertThrows(McpRejection.class, () -> McpChecks.checkAuthorization(
                new McpChecks.AuthorizationRequest(null, null, null, "https://a.example/mcp", "openid", null)));
        assertEquals(List.of("resource", "scope"), ran);
        assertEquals("invalid_scope", e.error());
        assertEquals("no grant scopes", e.description());
        assertEquals(Map.of("k", "v"), e.details());
        assertTrue(McpChecks.registered());
    }

    @Test
    void tokenChecksSeeTheTokenAndMayRefuse() {
        McpChecks.register(List.of(r -> ran.add("a")), List.of(t -> {
            ran.add(t.grantType());
            if (t.refresh()) {
                throw new McpRejection("invalid_grant", "no access");
            }
        }));
        assertThrows(McpRejection.class, () -> McpChecks.checkToken(
                new McpChecks.TokenIssuance(null, null, null, "refresh_token", true, null, null)));
        McpRejection none = null;
        try {
            McpChecks.checkToken(new McpChecks.TokenIssuance(null, null, null, "authorization_code", false, null, null));
        } catch (McpRejection e) {
            none = e;
        }
        assertEquals(null, none);
        assertEquals(List.of("refresh_token", "authorization_code"), ran);
    }

    @Test
    void aRejectionWithoutEventSpecificsUsesTheOAuthErrorAsEventError() {
        McpRejection e = new McpRejection("invalid_target", "unknown server");
        assertEquals("invalid_target", e.eventError());
        assertEquals(Map.of(), e.details());
        assertEquals(null, e.user());
    }
}
