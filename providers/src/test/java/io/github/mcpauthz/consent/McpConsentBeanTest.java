package io.github.mcpauthz.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class McpConsentBeanTest {

    /** The registration date prints as Keycloak's localized medium date and short time, for every JDK locale. */
    @Test
    void registeredAtFormatMatchesTheLocalizedFormatter() {
        Instant at = Instant.ofEpochSecond(1_764_680_000L);
        int checked = 0;
        for (Locale locale : Locale.getAvailableLocales()) {
            String expected = DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM, FormatStyle.SHORT)
                    .withLocale(locale).withZone(ZoneOffset.UTC).format(at);
            assertEquals(expected, McpConsentBean.registeredAtFormat(locale).format(at), locale.toLanguageTag());
            checked++;
        }
        assertTrue(checked > 100, "JDK locales checked: " + checked);
    }

    private static final long REGISTERED = 1_800_000_000L; // 2027-01-15T08:00:00Z

    private static McpConsentBean bean(String name, String clientId, String method, String redirect, long nowMillis) {
        return new McpConsentBean(new McpConsentBean.Client(clientId, name, method, REGISTERED, "Sign you in", false),
                McpConsentBean.Redirect.of(redirect), "Weather MCP server", "https://weather.example.com/mcp",
                "Weather MCP server (https://weather.example.com/mcp)", false,
                List.of(new McpConsentBean.Scope("weather:read", "weather:read (Weather MCP server)", null, true, false)),
                new McpConsentBean.Scope("offline_access", "${offlineAccessScopeConsentText}", null, true, false),
                Locale.ENGLISH, nowMillis);
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource({
            "http://127.0.0.1:49152/callback, 127.0.0.1, loopback",
            "http://localhost:6274/oauth/callback, localhost, loopback",
            "http://[::1]:5000/cb, [::1], loopback",
            "http://127.10.0.1/cb, 127.10.0.1, loopback",
            "https://app.example.com/cb, app.example.com, web",
            "https://APP.Example.com/cb, app.example.com, web",
            "http://localhost.evil.example/cb, localhost.evil.example, web",
            "http://127.0.0.1.evil.example/cb, 127.0.0.1.evil.example, web",
            "com.example.app:/oauth2redirect, com.example.app, app",
            "cursor://anysphere.cursor-retrieval/oauth/cb, cursor, app",
    })
    void redirectTarget(String uri, String host, String kind) {
        McpConsentBean.Redirect redirect = McpConsentBean.Redirect.of(uri);
        assertEquals(host, redirect.host());
        assertEquals(kind, redirect.kind());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not a uri", "/relative"})
    void unknownRedirect(String uri) {
        assertEquals(McpConsentBean.TARGET_UNKNOWN, McpConsentBean.Redirect.of(uri).kind());
    }

    @Test
    void longNamesAreCutToEightyCodePointsWithAnEllipsis() {
        String name = "\uD83D\uDE00".repeat(100); // 100 code points, 200 chars
        String shown = bean(name, "id", "dcr-anonymous", "http://127.0.0.1/cb", 0).getClientName();
        assertEquals(McpConsentBean.MAX_NAME, shown.codePointCount(0, shown.length()));
        assertTrue(shown.endsWith("…"));
        assertEquals("x".repeat(80), McpConsentBean.display("x".repeat(80), 80));
    }

    @Test
    void controlAndBidiCharactersAreDropped() {
        assertEquals("abc", McpConsentBean.display("a\u202Eb\u0007c\u2066", 80));
    }

    @Test
    void hostileNamesAreKeptAsText() {
        String hostile = "<script>window.__xss=1</script>${msg(\"loginTitle\")}";
        assertEquals(hostile, bean(hostile, "id", "dcr-anonymous", "http://127.0.0.1/cb", 0).getClientName());
    }

    @Test
    void nameFallsBackToClientId() {
        assertEquals("the-id", bean(" ", "the-id", "dcr-anonymous", "http://127.0.0.1/cb", 0).getClientName());
    }

    @Test
    void dynamicRegistrationIsSelfRegistered() {
        McpConsentBean bean = bean("Agent", "id", "dcr-initial-access-token", "https://app.example.com/cb", 0);
        assertNull(bean.getVerifiedHost());
        assertFalse(bean.isLoopback());
        assertEquals("web", bean.getRedirectKind());
        assertTrue(bean.isWebRedirect());
        assertEquals("mcpConsentMethodInitialAccessToken", bean.getRegistrationMethodKey());
        assertFalse(bean("Agent", "id", "dcr-anonymous", "http://127.0.0.1/cb", 0).isWebRedirect());
        assertFalse(bean("Agent", "id", "dcr-anonymous", "com.example.app:/cb", 0).isWebRedirect());
    }

    @Test
    void everyKeyTheBeanNamesIsInTheThemesMessages() throws java.io.IOException {
        long registeredMillis = REGISTERED * 1000;
        java.util.Set<String> keys = new java.util.TreeSet<>();
        for (String method : new String[]{"dcr-anonymous", "dcr-initial-access-token", "dcr-bearer-token", "cimd", null}) {
            keys.add(bean("a", "https://a.example/c.json", method, null, 0).getRegistrationMethodKey());
        }
        for (long after : new long[]{0, 5 * 60_000L, 3 * 3_600_000L, 10 * 86_400_000L}) {
            keys.add(bean("a", "id", null, null, registeredMillis + after).getRegisteredAgeKey());
        }
        assertEquals(9, keys.size(), keys.toString());
        for (String file : new String[]{"messages_en.properties", "messages_zh_CN.properties"}) {
            java.util.Properties messages = new java.util.Properties();
            try (var in = McpConsentBeanTest.class.getResourceAsStream("/theme/mcp/login/messages/" + file)) {
                assertNotNull(in, file);
                messages.load(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
            }
            for (String key : keys) {
                assertNotNull(messages.getProperty(key), file + " lacks " + key);
            }
        }
    }

    @Test
    void registrationMethodKeys() {
        assertEquals("mcpConsentMethodAnonymous", bean("a", "id", "dcr-anonymous", null, 0).getRegistrationMethodKey());
        assertEquals("mcpConsentMethodBearerToken", bean("a", "id", "dcr-bearer-token", null, 0).getRegistrationMethodKey());
        assertEquals("mcpConsentMethodCimd", bean("a", "https://a.example/c.json", "cimd", null, 0).getRegistrationMethodKey());
        assertEquals("mcpConsentMethodUnknown", bean("a", "id", null, null, 0).getRegistrationMethodKey());
        assertEquals("mcpConsentMethodUnknown", bean("a", "id", "something-else", null, 0).getRegistrationMethodKey());
    }

    @Test
    void cimdClientsShowTheirDomain() {
        McpConsentBean bean = bean("Agent", "https://Agent.Example.com/client.json", "cimd", "http://127.0.0.1/cb", 0);
        assertEquals("agent.example.com", bean.getVerifiedHost());
        assertTrue(bean.isLoopback());
    }

    @Test
    void registrationTimeAndAge() {
        long registeredMillis = REGISTERED * 1000;
        McpConsentBean bean = bean("Agent", "id", "dcr-anonymous", "http://127.0.0.1/cb", registeredMillis + 30_000);
        assertEquals("2027-01-15T08:00:00Z", bean.getRegisteredAtIso());
        assertTrue(bean.getRegisteredAtText().contains("2027"), bean.getRegisteredAtText());
        assertEquals("now", bean.getRegisteredAgeUnit());
        assertEquals("mcpConsentAgeNow", bean.getRegisteredAgeKey());
        assertEquals("minutes", bean("a", "id", null, null, registeredMillis + 5 * 60_000).getRegisteredAgeUnit());
        assertEquals("mcpConsentAgeMinutes", bean("a", "id", null, null, registeredMillis + 5 * 60_000).getRegisteredAgeKey());
        assertEquals("mcpConsentAgeHours", bean("a", "id", null, null, registeredMillis + 3 * 3_600_000L).getRegisteredAgeKey());
        assertEquals(5, bean("a", "id", null, null, registeredMillis + 5 * 60_000).getRegisteredAgeValue());
        assertEquals("hours", bean("a", "id", null, null, registeredMillis + 3 * 3_600_000L).getRegisteredAgeUnit());
        McpConsentBean old = bean("a", "id", null, null, registeredMillis + 10 * 86_400_000L);
        assertEquals("days", old.getRegisteredAgeUnit());
        assertEquals("mcpConsentAgeDays", old.getRegisteredAgeKey());
        assertEquals(10, old.getRegisteredAgeValue());
        assertEquals("unknown", old.getRegistrationMethod());
    }

    @Test
    void serverAndScopes() {
        McpConsentBean bean = bean("Agent", "id", "dcr-anonymous", "http://127.0.0.1/cb", 0);
        assertTrue(bean.isServerNamed());
        assertEquals("Weather MCP server", bean.getServerName());
        assertEquals("https://weather.example.com/mcp", bean.getServerUri());
        assertEquals(1, bean.getScopes().size());
        assertTrue(bean.isOfflineAccess());
        assertEquals("Sign you in", bean.getClientItem());
        assertFalse(bean.isAllowedBefore());
        assertEquals("Weather MCP server (https://weather.example.com/mcp)", bean.getServerItem());
        assertFalse(bean.isServerAllowedBefore());
    }

    @Test
    void noServerNoServerItem() {
        McpConsentBean bean = new McpConsentBean(new McpConsentBean.Client("id", "Agent", "dcr-anonymous", null, null, true),
                McpConsentBean.Redirect.of("http://127.0.0.1/cb"), null, null, "stale", true, List.of(), null,
                Locale.ENGLISH, 0);
        assertFalse(bean.isServerNamed());
        assertNull(bean.getServerItem());
        assertFalse(bean.isServerAllowedBefore());
        assertTrue(bean.isAllowedBefore());
        assertFalse(bean.isOfflineAccess());
        assertNull(bean.getRegisteredAtText());
    }
}
