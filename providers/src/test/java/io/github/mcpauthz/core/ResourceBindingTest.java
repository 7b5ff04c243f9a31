package io.github.mcpauthz.core;

import static io.github.mcpauthz.core.ResourceBinding.Grant.CODE;
import static io.github.mcpauthz.core.ResourceBinding.Grant.REFRESH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import io.github.mcpauthz.core.ResourceBinding.InvalidTargetException;
import org.junit.jupiter.api.Test;

class ResourceBindingTest {

    private static final String A = "https://a.example/mcp";
    private static final String B = "https://b.example/mcp";

    private static McpServerIndex index(boolean aIsDefault) throws Exception {
        return new McpServerIndex(List.of(
                new McpServer("a", CanonicalResource.parse(A), "A", List.of(), aIsDefault),
                new McpServer("b", CanonicalResource.parse(B), "B", List.of(), false)));
    }

    private static String refused(ThrowingCall call) {
        return assertThrows(InvalidTargetException.class, call::run).getMessage();
    }

    private interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void authorizationNamesAServerOrGetsTheDefault() throws Exception {
        assertEquals("a", ResourceBinding.forAuthorization(index(false), "https://A.example:443/mcp").id());
        assertNull(ResourceBinding.forAuthorization(index(false), null));
        assertEquals("a", ResourceBinding.forAuthorization(index(true), null).id());
        assertEquals("Unknown resource: https://c.example/mcp is not an MCP server registered in this realm",
                refused(() -> ResourceBinding.forAuthorization(index(false), "https://c.example/mcp")));
        assertEquals("Invalid resource: ", refused(() -> ResourceBinding.forAuthorization(index(false), "https://a.example/mcp#f"))
                .substring(0, "Invalid resource: ".length()));
    }

    @Test
    void tokenRequestsMayRepeatTheBoundServerOnly() throws Exception {
        assertEquals("a", ResourceBinding.boundServer(index(false), CODE, A, null).id());
        assertEquals("a", ResourceBinding.boundServer(index(false), REFRESH, A, "https://a.example/mcp/").id());
        assertEquals("resource " + B + " does not match the resource this grant was issued for",
                refused(() -> ResourceBinding.boundServer(index(false), REFRESH, A, B)));
    }

    @Test
    void unboundGrantsCannotAddAServer() throws Exception {
        assertNull(ResourceBinding.boundServer(index(false), CODE, null, null));
        assertEquals("a", ResourceBinding.boundServer(index(true), CODE, null, null).id());
        assertNull(ResourceBinding.boundServer(index(true), REFRESH, null, null));
        assertEquals("The authorization request named no resource; the token request cannot add one",
                refused(() -> ResourceBinding.boundServer(index(false), CODE, null, A)));
        assertEquals("The refresh token was not issued for a resource; it cannot be used for " + A,
                refused(() -> ResourceBinding.boundServer(index(false), REFRESH, null, A)));
    }

    @Test
    void aRemovedServerEndsItsGrants() {
        assertEquals("The resource this grant was issued for is no longer available: Unknown resource: "
                        + "https://gone.example/mcp is not an MCP server registered in this realm",
                refused(() -> ResourceBinding.boundServer(index(false), REFRESH, "https://gone.example/mcp", null)));
    }
}
