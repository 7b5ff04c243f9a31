package io.github.mcpauthz.idjag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import io.github.mcpauthz.core.CanonicalResource;
import io.github.mcpauthz.core.McpRejection;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.McpServerIndex;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.JsonWebToken;

class IdJagPolicyTest {

    static final String ISSUER = "https://as.example.com/realms/mcp";
    static final String FILES = "https://files.example.com/mcp";

    private final McpServerIndex index;

    IdJagPolicyTest() throws Exception {
        index = new McpServerIndex(List.of(new McpServer("files", CanonicalResource.parse(FILES), "Files", List.of("files:read"), false)));
    }

    private static JsonWebToken idJag() {
        JsonWebToken jwt = new JsonWebToken();
        jwt.issuer("https://idp.example.com");
        jwt.subject("00u-carol");
        jwt.audience(ISSUER);
        jwt.id("jti-1");
        jwt.iat(1000L);
        jwt.exp(1100L);
        jwt.setOtherClaims("client_id", "agent");
        jwt.setOtherClaims("resource", FILES);
        jwt.setOtherClaims("scope", "files:read profile");
        return jwt;
    }

    private static String refusal(Call call) {
        McpRejection e = assertThrows(McpRejection.class, call::run);
        return e.error() + ": " + e.getMessage();
    }

    interface Call {
        void run() throws Exception;
    }

    @Test
    void anIdJagIsRecognisedByTypOrResource() {
        assertTrue(IdJagPolicy.isIdJag("oauth-id-jag+jwt", new JsonWebToken()));
        assertTrue(IdJagPolicy.isIdJag("OAUTH-ID-JAG+JWT", null));
        assertTrue(IdJagPolicy.isIdJag("JWT", idJag()));
        assertFalse(IdJagPolicy.isIdJag("JWT", new JsonWebToken()));
        assertFalse(IdJagPolicy.isIdJag(null, null));
    }

    @Test
    void validClaimsPass() throws Exception {
        IdJagPolicy.checkClaims("oauth-id-jag+jwt", idJag(), "agent", ISSUER);
    }

    @Test
    void eachClaimIsChecked() {
        assertEquals("invalid_grant: The assertion's typ header must be oauth-id-jag+jwt, not JWT",
                refusal(() -> IdJagPolicy.checkClaims("JWT", idJag(), "agent", ISSUER)));
        assertTrue(refusal(() -> IdJagPolicy.checkClaims("oauth-id-jag+jwt", idJag(), "other", ISSUER))
                .startsWith("invalid_grant: The ID-JAG's client_id 'agent'; it must be the authenticated client other"));
        JsonWebToken twoAudiences = idJag().audience(ISSUER, "https://other.example.com");
        assertTrue(refusal(() -> IdJagPolicy.checkClaims("oauth-id-jag+jwt", twoAudiences, "agent", ISSUER)).contains("aud must be exactly"));
        JsonWebToken noJti = idJag().id(null);
        assertTrue(refusal(() -> IdJagPolicy.checkClaims("oauth-id-jag+jwt", noJti, "agent", ISSUER)).contains("iat, exp and jti"));
        JsonWebToken noIat = idJag().iat(null);
        assertTrue(refusal(() -> IdJagPolicy.checkClaims("oauth-id-jag+jwt", noIat, "agent", ISSUER)).contains("iat, exp and jti"));
        JsonWebToken noSub = idJag().subject(null);
        assertTrue(refusal(() -> IdJagPolicy.checkClaims("oauth-id-jag+jwt", noSub, "agent", ISSUER)).contains("iss and sub"));
    }

    @Test
    void theResourceMustBeARegisteredServerAndMatchTheRequest() throws Exception {
        assertEquals(FILES, IdJagPolicy.server(index, idJag(), null).audience());
        assertEquals(FILES, IdJagPolicy.server(index, idJag(), List.of("HTTPS://files.example.com:443/mcp/")).audience());
        JsonWebToken unknown = idJag();
        unknown.setOtherClaims("resource", "https://nope.example.com/mcp");
        assertEquals("invalid_target: Unknown resource: https://nope.example.com/mcp is not an MCP server registered in this realm",
                refusal(() -> IdJagPolicy.server(index, unknown, null)));
        JsonWebToken none = idJag();
        none.getOtherClaims().remove("resource");
        assertTrue(refusal(() -> IdJagPolicy.server(index, none, null)).startsWith("invalid_target"));
        assertTrue(refusal(() -> IdJagPolicy.server(index, idJag(), List.of("https://mail.example.com/mcp"))).startsWith("invalid_target"));
        assertTrue(refusal(() -> IdJagPolicy.server(index, idJag(), List.of(FILES, FILES))).startsWith("invalid_target"));
    }

    @Test
    void theScopeIsTheRequestedWithinTheAsserted() throws Exception {
        assertEquals("files:read", IdJagPolicy.scope(idJag(), "files:read", Set.of()));
        assertEquals("files:read", IdJagPolicy.scope(idJag(), null, Set.of("files:read")));
        assertEquals("invalid_scope: Scope files:write is not in the ID-JAG's scope (files:read profile)",
                refusal(() -> IdJagPolicy.scope(idJag(), "files:read files:write", Set.of("files:write"))));
        JsonWebToken noScope = idJag();
        noScope.getOtherClaims().remove("scope");
        assertEquals("", IdJagPolicy.scope(noScope, null, Set.of("files:read")));
        assertTrue(refusal(() -> IdJagPolicy.scope(noScope, "files:read", Set.of())).startsWith("invalid_scope"));
    }
}
