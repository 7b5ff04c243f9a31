package io.github.mcpauthz.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import io.github.mcpauthz.core.CanonicalResource;
import io.github.mcpauthz.core.McpRejection;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.McpServerIndex;
import org.junit.jupiter.api.Test;

class RegistryExchangePolicyTest {

    static final String FILES = "https://files.example.com/mcp";
    static final String MAIL = "https://mail.example.com/mcp";
    static final String CAL = "https://calendar.example.com/mcp";

    private final McpServer files = server("files", FILES, "files-server", List.of("HTTPS://MAIL.example.com:443/mcp/", "internal-api"));
    private final McpServer mail = server("mail", MAIL, "mail-server", List.of());
    private final McpServer cal = server("cal", CAL, null, List.of());
    private final McpServerIndex index = new McpServerIndex(List.of(files, mail, cal));

    private static McpServer server(String id, String uri, String clientId, List<String> audiences) {
        try {
            return new McpServer(id, CanonicalResource.parse(uri), id, List.of(), false, clientId, audiences);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String refusal(ThrowingCall call) {
        McpRejection e = assertThrows(McpRejection.class, call::run);
        return e.error() + ": " + e.getMessage();
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void theServersClientExchangesItsTokens() throws Exception {
        assertEquals(files, RegistryExchangePolicy.subjectServer(index, new String[] {"https://FILES.example.com/mcp"}, "files-server", false));
    }

    @Test
    void aClientTheRegistryDoesNotLinkIsUnauthorized() {
        assertEquals("unauthorized_client: Client mcp-client is not the token exchange client of MCP server " + FILES,
                refusal(() -> RegistryExchangePolicy.subjectServer(index, new String[] {FILES}, "mcp-client", false)));
        assertTrue(refusal(() -> RegistryExchangePolicy.subjectServer(index, new String[] {CAL}, "files-server", false))
                .startsWith("invalid_request: The subject_token was issued for MCP server " + CAL));
        assertTrue(refusal(() -> RegistryExchangePolicy.subjectServer(index, new String[] {FILES}, "files-server", true))
                .startsWith("unauthorized_client: Client files-server is a public client"));
    }

    @Test
    void aTokenOfAnotherServerIsInvalidRequestForAnotherServersClient() {
        assertTrue(refusal(() -> RegistryExchangePolicy.subjectServer(index, new String[] {FILES}, "mail-server", false))
                .startsWith("invalid_request: The subject_token was issued for MCP server " + FILES));
    }

    @Test
    void aTokenForNoOrTwoServersIsInvalidRequest() {
        assertTrue(refusal(() -> RegistryExchangePolicy.subjectServer(index, new String[] {FILES, MAIL}, "files-server", false))
                .startsWith("invalid_request: The subject_token must be issued for exactly one MCP server; it names 2"));
        assertTrue(refusal(() -> RegistryExchangePolicy.subjectServer(index, new String[] {"account"}, "files-server", false))
                .startsWith("invalid_request"));
        assertTrue(refusal(() -> RegistryExchangePolicy.subjectServer(index, null, "files-server", false)).startsWith("invalid_request"));
    }

    @Test
    void targetIsAnAllowedServerInAnySpellingOrAnAllowedClientId() throws Exception {
        RegistryExchangePolicy.Target server = RegistryExchangePolicy.target(index, files, List.of("https://mail.example.com/mcp/"), null);
        assertEquals(mail, server.server());
        assertEquals(MAIL, server.audience());
        RegistryExchangePolicy.Target sameTwice = RegistryExchangePolicy.target(index, files, List.of(MAIL), List.of("HTTPS://mail.example.com/mcp"));
        assertEquals(MAIL, sameTwice.audience());
        RegistryExchangePolicy.Target client = RegistryExchangePolicy.target(index, files, null, List.of("internal-api"));
        assertNull(client.server());
        assertEquals("internal-api", client.audience());
    }

    @Test
    void targetsOutsideTheListAreInvalidTarget() {
        assertEquals("invalid_target: MCP server " + FILES + " may not exchange tokens for MCP server " + CAL,
                refusal(() -> RegistryExchangePolicy.target(index, files, List.of(CAL), null)));
        assertEquals("invalid_target: 'other-api' is not an audience MCP server " + FILES + " may exchange tokens for",
                refusal(() -> RegistryExchangePolicy.target(index, files, List.of("other-api"), null)));
        assertTrue(refusal(() -> RegistryExchangePolicy.target(index, mail, List.of(FILES), null)).startsWith("invalid_target"));
        // A client id is matched exactly: no case folding.
        assertTrue(refusal(() -> RegistryExchangePolicy.target(index, files, List.of("Internal-API"), null)).startsWith("invalid_target"));
        assertTrue(refusal(() -> RegistryExchangePolicy.target(index, files, List.of("bad\u202Ename"), null)).contains("bad?name"));
    }

    @Test
    void oneTargetPerExchangeAndOneIsRequired() {
        assertEquals("invalid_target: A token exchange names one downstream audience; this request names 2",
                refusal(() -> RegistryExchangePolicy.target(index, files, List.of(MAIL), List.of("internal-api"))));
        assertTrue(refusal(() -> RegistryExchangePolicy.target(index, files, null, null)).startsWith("invalid_request: The audience or resource parameter is required"));
        assertTrue(refusal(() -> RegistryExchangePolicy.target(index, files, List.of(), List.of())).startsWith("invalid_request"));
    }

    @Test
    void scopeIsAtMostTheSubjectTokens() throws Exception {
        assertEquals("files:read", RegistryExchangePolicy.scope("openid files:read profile", "files:read", Set.of()));
        assertEquals("openid files:read", RegistryExchangePolicy.scope("openid files:read profile", null, Set.of("files:read", "email")));
        assertEquals("", RegistryExchangePolicy.scope(null, null, Set.of("files:read")));
        assertEquals("invalid_scope: Scope files:write was not granted to the subject_token (files:read profile)",
                refusal(() -> RegistryExchangePolicy.scope("files:read profile", "files:read files:write", Set.of("files:write"))));
    }

    @Test
    void actNamesTheServerAndNestsTheEarlierActor() {
        Map<String, Object> first = RegistryExchangePolicy.actor(files, "files-server", null);
        assertEquals(Map.of("sub", FILES, "client_id", "files-server"), first);
        Map<String, Object> second = RegistryExchangePolicy.actor(mail, "mail-server", first);
        assertEquals(Map.of("sub", MAIL, "client_id", "mail-server", "act", first), second);
        assertEquals(Map.of("sub", MAIL, "client_id", "mail-server"), RegistryExchangePolicy.actor(mail, "mail-server", "not an object"));
    }

    @Test
    void theIndexFindsServersByExchangeClient() {
        assertEquals(List.of(files), index.servedBy("files-server"));
        assertEquals(List.of(), index.servedBy("nobody"));
        assertEquals(List.of(), index.servedBy(null));
    }
}
