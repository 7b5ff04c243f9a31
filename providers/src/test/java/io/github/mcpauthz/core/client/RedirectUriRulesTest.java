package io.github.mcpauthz.core.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RedirectUriRulesTest {

    @ParameterizedTest(name = "{0} -> {1} ({2})")
    @CsvSource({
            "https://app.example.com/cb, https://app.example.com/cb, HTTPS",
            "https://vscode.dev/redirect, https://vscode.dev/redirect, HTTPS",
            "http://127.0.0.1:33418/callback, http://127.0.0.1/callback, LOOPBACK",
            "http://localhost:6274/oauth/callback, http://localhost/oauth/callback, LOOPBACK",
            "http://[::1]:5000/cb, http://[::1]/cb, LOOPBACK",
            "http://127.0.0.1/callback?x=1, http://127.0.0.1/callback?x=1, LOOPBACK",
            "com.example.app:/oauth2redirect, com.example.app:/oauth2redirect, PRIVATE_USE",
            "cursor://anysphere.cursor-retrieval/oauth/cb, cursor://anysphere.cursor-retrieval/oauth/cb, PRIVATE_USE",
    })
    void acceptsAndNormalises(String raw, String stored, RedirectUriRules.Kind kind) throws Exception {
        RedirectUriRules.Accepted accepted = RedirectUriRules.check(raw, true);
        assertEquals(stored, accepted.stored());
        assertEquals(kind, accepted.kind());
    }

    @ParameterizedTest(name = "rejects {0}")
    @ValueSource(strings = {
            "https://x.example/*", "https://*.example.com/cb", "https://a.example/cb#frag", "https://u:p@a.example/cb",
            "https://user@a.example/cb", "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>x</script>",
            "file:///etc/passwd", "vbscript:msgbox", "http://evil.example/cb", "http://127.0.0.2/cb",
            "http://localhost.evil.example/cb", "/cb", "cb", "http://[bad", "https:///cb", "", "https://a.example/c b",
            "https://a.example/\ncb", "ws://127.0.0.1/cb", "about:blank"
    })
    void rejects(String raw) {
        ClientMetadataException e = assertThrows(ClientMetadataException.class, () -> RedirectUriRules.check(raw, true));
        assertEquals(ClientMetadataException.INVALID_REDIRECT_URI, e.error());
    }

    @Test
    void privateUseSchemesCanBeSwitchedOff() {
        ClientMetadataException e = assertThrows(ClientMetadataException.class,
                () -> RedirectUriRules.check("com.example.app:/cb", false));
        assertEquals("private-use URI schemes are not allowed in this realm: com.example.app:/cb", e.description());
    }

    @Test
    void webApplicationsUseHttpsOnly() throws Exception {
        RedirectUriRules.Accepted loopback = RedirectUriRules.check("http://127.0.0.1:1/cb", true);
        assertThrows(ClientMetadataException.class,
                () -> RedirectUriRules.checkApplicationType(loopback, ApplicationType.WEB, "http://127.0.0.1:1/cb"));
        RedirectUriRules.checkApplicationType(loopback, ApplicationType.NATIVE, "http://127.0.0.1:1/cb");
        RedirectUriRules.Accepted https = RedirectUriRules.check("https://a.example/cb", true);
        RedirectUriRules.checkApplicationType(https, ApplicationType.WEB, "https://a.example/cb");
        RedirectUriRules.checkApplicationType(https, ApplicationType.NATIVE, "https://a.example/cb");
    }

    @Test
    void descriptionsQuoteTheOffendingUriAbbreviated() {
        String longUri = "javascript:" + "a".repeat(500);
        ClientMetadataException e = assertThrows(ClientMetadataException.class, () -> RedirectUriRules.check(longUri, true));
        assertEquals(true, e.description().endsWith("..."));
        assertEquals(true, e.description().length() < 300);
    }
}
