package io.github.mcpauthz.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CanonicalResourceTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "https://mcp.example.com/mcp, https://mcp.example.com/mcp",
            "HTTPS://MCP.Example.COM/mcp, https://mcp.example.com/mcp",
            "https://mcp.example.com:443/mcp, https://mcp.example.com/mcp",
            "http://localhost:80/mcp, http://localhost/mcp",
            "http://localhost:3001/mcp, http://localhost:3001/mcp",
            "https://mcp.example.com:8443/mcp, https://mcp.example.com:8443/mcp",
            "https://mcp.example.com/, https://mcp.example.com",
            "https://mcp.example.com, https://mcp.example.com",
            "https://mcp.example.com/mcp/, https://mcp.example.com/mcp/",
            "http://[::1]:3000/mcp, http://[::1]:3000/mcp",
            "http://127.0.0.1:3000/MCP, http://127.0.0.1:3000/MCP",
    })
    void normalisesSchemeHostAndDefaultPort(String raw, String expected) throws Exception {
        assertEquals(expected, CanonicalResource.parse(raw).uri());
    }

    @ParameterizedTest(name = "{0} matches {1}")
    @CsvSource({
            "https://mcp.example.com/mcp, https://mcp.example.com/mcp/",
            "https://mcp.example.com, https://mcp.example.com/",
            "https://MCP.example.com:443/mcp, https://mcp.example.com/mcp",
            "http://localhost/mcp, http://LOCALHOST:80/mcp/",
    })
    void equivalentSpellingsMatch(String a, String b) throws Exception {
        assertEquals(CanonicalResource.parse(a), CanonicalResource.parse(b));
        assertEquals(CanonicalResource.parse(a).matchKey(), CanonicalResource.parse(b).matchKey());
    }

    @ParameterizedTest(name = "{0} differs from {1}")
    @CsvSource({
            "https://mcp.example.com/mcp, https://mcp.example.com/MCP",
            "https://mcp.example.com/mcp, http://mcp.example.com/mcp",
            "https://mcp.example.com/mcp, https://mcp.example.com:8443/mcp",
            "https://mcp.example.com/mcp, https://mcp.example.com/mcp//",
            "https://mcp.example.com/a, https://mcp.example.com/a/b",
            "https://a.example.com/mcp, https://b.example.com/mcp",
    })
    void differentResourcesDoNotMatch(String a, String b) throws Exception {
        assertNotEquals(CanonicalResource.parse(a), CanonicalResource.parse(b));
    }

    @ParameterizedTest(name = "rejects \"{0}\"")
    @ValueSource(strings = {
            "/mcp", "mcp", "not a uri", "https://mcp.example.com/mcp#frag", "https://mcp.example.com/mcp#",
            "https://mcp.example.com/mcp?x=1", "https://user:pw@mcp.example.com/mcp", "urn:example:mcp",
            "ftp://mcp.example.com/mcp", "javascript:alert(1)", "https:///mcp", "https://mcp.example.com/a/../b",
            "https://mcp.example.com/./mcp", "https://mcp.example.com/ mcp", "https://mcp.example.com/\nmcp",
            " https://mcp.example.com/mcp", "", "   "
    })
    void rejectsMalformedResources(String raw) {
        assertThrows(InvalidResourceException.class, () -> CanonicalResource.parse(raw));
    }

    @Test
    void rejectsNullAndOverlongValues() {
        assertThrows(InvalidResourceException.class, () -> CanonicalResource.parse(null));
        String longUri = "https://mcp.example.com/" + "a".repeat(CanonicalResource.MAX_LENGTH);
        InvalidResourceException e = assertThrows(InvalidResourceException.class, () -> CanonicalResource.parse(longUri));
        assertEquals("resource is longer than 2048 characters", e.getMessage());
    }

    @Test
    void descriptionsSayWhatIsWrong() {
        assertEquals("resource must not contain a fragment",
                assertThrows(InvalidResourceException.class, () -> CanonicalResource.parse("https://a.example/x#y")).getMessage());
        assertEquals("resource must be an absolute URI",
                assertThrows(InvalidResourceException.class, () -> CanonicalResource.parse("/mcp")).getMessage());
    }
}
