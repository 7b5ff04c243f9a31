package io.github.mcpauthz.core.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Schemes that start other programs, reverse-DNS and listed schemes, ports, zone ids, link-local hosts, dot segments. */
class RedirectUriHardeningTest {

    private static ClientMetadataException refused(String raw) {
        ClientMetadataException e = assertThrows(ClientMetadataException.class, () -> RedirectUriRules.check(raw, true),
                () -> raw + " was accepted");
        assertEquals(ClientMetadataException.INVALID_REDIRECT_URI, e.error());
        return e;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ms-msdt:/id%20PCWDiagnostic", "search-ms:query=x&crumb=location:%5C%5Cevil%5Cshare",
            "ms-officecmd:%7B%7D", "ms-settings:privacy", "microsoft-edge:https://evil.example", "jnlp://evil.example/a.jnlp",
            "itms-services://?action=download-manifest&url=https://evil.example/m.plist", "shell:startup",
            "x-javascript:alert(1)", "livescript:alert(1)", "ms-word:ofe%7Cu%7Chttps://evil.example/a.docx",
            "search:query=calc", "vbscript:msgbox", "x-apple.systempreferences:com.apple.preference.security",
            "com.apple.reminderkit://x", "com.microsoft.teams://x", "ms-excel.example.app:/cb", "javascript:alert(1)"})
    void schemesThatStartOtherProgramsAreRefused(String raw) {
        ClientMetadataException e = refused(raw);
        assertTrue(e.description().contains("is not allowed"), e.description());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ms-msdt", "search-ms", "ms-officecmd", "ms-settings", "microsoft-edge", "jnlp",
            "itms-services", "shell", "x-javascript", "livescript", "MS-MSDT", "x-apple.systempreferences"})
    void osHandlerSchemesCannotBeAllowListed(String scheme) {
        assertTrue(RedirectUriRules.isForbiddenScheme(scheme));
        assertFalse(RedirectUriRules.isAllowableSingleWordScheme(scheme.toLowerCase()));
        assertThrows(ClientMetadataException.class,
                () -> RedirectUriRules.check(scheme + "://x/cb", true, List.of(scheme.toLowerCase())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cursor://anysphere.cursor-mcp/oauth/callback", "vscode://vscode.mcp/cb",
            "vscode-insiders://x/cb", "windsurf://codeium.windsurf/oauth", "claude://claude.ai/cb",
            "com.example.app:/oauth2redirect", "io.github.agent://callback", "dev.zed.zed:/cb"})
    void reverseDnsAndListedSchemesAreAccepted(String raw) throws ClientMetadataException {
        assertEquals(RedirectUriRules.Kind.PRIVATE_USE, RedirectUriRules.check(raw, true).kind());
    }

    @ParameterizedTest
    @ValueSource(strings = {"myapp://cb", "foo:/cb", "zoomus://x", "app://x"})
    void singleWordSchemesOffTheListAreRefused(String raw) {
        assertTrue(refused(raw).description().contains("reverse domain name scheme"));
    }

    @Test
    void theRealmListDecidesSingleWordSchemes() throws ClientMetadataException {
        assertEquals(RedirectUriRules.Kind.PRIVATE_USE,
                RedirectUriRules.check("myapp://cb", true, List.of("myapp")).kind());
        assertThrows(ClientMetadataException.class,
                () -> RedirectUriRules.check("cursor://anysphere.cursor-mcp/oauth/callback", true, List.of()));
        assertTrue(RedirectUriRules.isAllowableSingleWordScheme("myapp"));
        assertFalse(RedirectUriRules.isAllowableSingleWordScheme("my.app"));
        assertFalse(RedirectUriRules.isAllowableSingleWordScheme("https"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://app.example.com:99999/cb", "https://app.example.com:0/cb", "http://127.0.0.1:0/cb",
            "http://127.0.0.1:65536/cb", "https://app.example.com:/cb", "https://app.example.com:8x/cb",
            "http://[::1]:99999/cb"})
    void invalidPortsAreRefused(String raw) {
        assertTrue(refused(raw).description().contains("port") || refused(raw).description().contains("host"),
                refused(raw).description());
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://app.example.com/\u202ecb", "https://app.example.com/c\u200bb",
            "http://127.0.0.1/\u2066cb", "com.example.app:/\u200fcb"})
    void bidiAndInvisibleCharactersAreRefused(String raw) {
        assertTrue(refused(raw).description().contains("bidirectional-formatting or invisible"), refused(raw).description());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://[fe80::1%25eth0]/cb", "https://[fe80::1%25en0]:8443/cb", "http://[::1%251]/cb"})
    void ipv6ZoneIdsAreRefused(String raw) {
        refused(raw);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://169.254.169.254/cb", "https://[fe80::1]/cb", "https://[febf::1]/cb",
            "https://0.0.0.0/cb", "https://[::]/cb"})
    void linkLocalAndUnspecifiedHostsAreRefused(String raw) {
        assertTrue(refused(raw).description().contains("link-local"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://app.example.com/a/../cb", "https://app.example.com/./cb", "http://127.0.0.1/cb/..",
            "https://app.example.com/a/%2e%2e/cb", "https://app.example.com/%2E/cb", "com.example.app:/../cb"})
    void dotSegmentsAreRefused(String raw) {
        assertTrue(refused(raw).description().contains("path segments"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://app.example.com:443/cb", "https://app.example.com/a..b/c.d", "https://[2001:db8::1]/cb",
            "https://169.255.0.1/cb", "http://127.0.0.1:65535/cb", "https://app.example.com/cb?x=..%2F"})
    void validUrisStayAccepted(String raw) throws ClientMetadataException {
        RedirectUriRules.check(raw, true);
    }
}
