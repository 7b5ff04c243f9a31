package io.github.mcpauthz.cimd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClientIdUrlTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "https://vscode.dev/oauth/client-metadata.json, vscode.dev, 443",
            "https://claude.ai/oauth/mcp-oauth-client-metadata, claude.ai, 443",
            "https://App.Example.com:8443/client.json, app.example.com, 8443",
    })
    void acceptsMetadataDocumentUrls(String raw, String host, int port) throws Exception {
        ClientIdUrl url = ClientIdUrl.parse(raw, false);
        assertEquals(host, url.host());
        assertEquals(port, url.port());
    }

    @ParameterizedTest(name = "rejects {0}")
    @ValueSource(strings = {
            "http://app.example.com/client.json", "https://app.example.com", "https://app.example.com/",
            "https://app.example.com/a/../client.json", "https://app.example.com/./client.json",
            "https://app.example.com/a/%2e%2e/client.json", "https://app.example.com/client.json#x",
            "https://app.example.com/client.json?v=1", "https://user:pw@app.example.com/client.json",
            "https:///client.json", "https://app.example.com/ client.json", "ftp://app.example.com/client.json"
    })
    void rejects(String raw) {
        assertThrows(ClientIdUrl.InvalidClientIdException.class, () -> ClientIdUrl.parse(raw, false));
    }

    /** A trailing-dot host is the same host to DNS and would slip past domain lists: refused with a reason. */
    @Test
    void trailingDotHostIsRefused() {
        assertEquals("client_id URL host must not end with a dot", assertThrows(ClientIdUrl.InvalidClientIdException.class,
                () -> ClientIdUrl.parse("https://app.example.com./client.json", false)).getMessage());
        assertEquals("client_id URL host must not end with a dot", assertThrows(ClientIdUrl.InvalidClientIdException.class,
                () -> ClientIdUrl.parse("https://app.example.com.:8443/client.json", false)).getMessage());
    }

    /** The request line carries the client_id's path byte for byte, so the client_id must be ASCII. */
    @ParameterizedTest(name = "refuses {0}")
    @ValueSource(strings = {"https://app.example.com/cl\u00e4ent.json", "https://app.example.com/\u5ba2\u6237.json",
            "https://b\u00fccher.example/client.json", "https://app.example.com/a\u0000.json"})
    void nonAsciiIsRefused(String raw) {
        assertTrue(assertThrows(ClientIdUrl.InvalidClientIdException.class, () -> ClientIdUrl.parse(raw, false))
                .getMessage().contains("ASCII"));
    }

    /** Keycloak's login pages decode a percent-encoded client_id once: only unreserved characters and / in the path. */
    @ParameterizedTest(name = "refuses {0}")
    @ValueSource(strings = {"https://app.example.com/cl%C3%A4ent.json", "https://app.example.com/a+b.json",
            "https://app.example.com/a;b.json", "https://app.example.com/a=b&c.json", "https://app.example.com/a%2Fb.json",
            "https://app.example.com/(a).json", "https://app.example.com/a:b.json", "https://app.example.com/a@b.json"})
    void pathWithOtherThanUnreservedCharactersIsRefused(String raw) {
        assertTrue(assertThrows(ClientIdUrl.InvalidClientIdException.class, () -> ClientIdUrl.parse(raw, false))
                .getMessage().contains("path may only contain"));
    }

    @Test
    void unreservedPathCharactersAreAccepted() throws Exception {
        assertEquals("/a-b_c.d~e/F9.json", ClientIdUrl.parse("https://app.example.com/a-b_c.d~e/F9.json", false).uri().getRawPath());
    }

    @ParameterizedTest(name = "refuses port in {0}")
    @ValueSource(strings = {"https://app.example.com:0/c.json", "https://app.example.com:65536/c.json"})
    void invalidPortIsRefused(String raw) {
        assertThrows(ClientIdUrl.InvalidClientIdException.class, () -> ClientIdUrl.parse(raw, false));
    }

    @Test
    void httpOnlyWhenAllowed() throws Exception {
        assertEquals(80, ClientIdUrl.parse("http://localhost/client.json", true).port());
        assertEquals("client_id URL must use https",
                assertThrows(ClientIdUrl.InvalidClientIdException.class,
                        () -> ClientIdUrl.parse("http://localhost/client.json", false)).getMessage());
    }

    @Test
    void recognisesUrlClientIds() {
        assertTrue(ClientIdUrl.looksLikeUrl("https://a.example/c"));
        assertTrue(ClientIdUrl.looksLikeUrl("HTTP://a.example/c"));
        assertFalse(ClientIdUrl.looksLikeUrl("3f1c6c0e-0f9e-4c47-9c1b-3d7c2b1f0a55"));
        assertFalse(ClientIdUrl.looksLikeUrl(null));
    }
}
