package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.AuthorizationRequest;
import io.github.mcpauthz.it.support.Chromium;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.SampleRealm;
import io.github.mcpauthz.it.support.User;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The consent page of a dynamically registered client, in a real headless Chromium: it names the client as
 * self-registered and unverified, shows where the user is sent back (with a warning for a loopback address), the MCP
 * server and the scopes with offline access, in English and in Chinese, at desktop and phone width; a hostile
 * client name is shown as text and runs nothing; Allow sends the browser to the client's redirect URI with
 * {@code code} and {@code iss}. Screenshots go to {@code it/target/screenshots/}.
 */
@KeycloakIT
class ConsentPageBrowserIT {

    private static final String SCOPE = "weather:read offline_access";
    private static final String HOSTILE_NAME =
            "<script>window.__xss=1</script><img src=x onerror=\"window.__xss=2\">${msg(\"loginTitle\")}";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static KeycloakEnvironment keycloak;

    @BeforeAll
    static void keycloak(KeycloakEnvironment environment) {
        keycloak = environment;
    }

    @BeforeEach
    void chromium() {
        String unavailable = Chromium.unavailable();
        Assumptions.assumeTrue(unavailable == null, () -> "Skipped: " + unavailable);
    }

    @Test
    void englishPageTellsWhoAsksWhereTheUserGoesAndWhatIsGranted() {
        RegisteredClient client = register("Weather Desk Agent " + suffix());
        try (Chromium browser = new Chromium(1280, 900, "en")) {
            WebDriver driver = browser.driver();
            AuthorizationRequest request = request(client);
            openConsent(browser, request);

            assertEquals("en", driver.findElement(By.tagName("html")).getAttribute("lang"));
            assertEquals(1L, browser.script("return document.querySelectorAll('link[href$=\"/login/mcp/css/mcp-consent.css\"]').length"),
                    "rendered with the mcp login theme");
            assertEquals(client.name(), text(driver, "mcp-client-name"));
            assertEquals("Allow " + client.name() + " to use your account?", text(driver, "kc-page-title"));
            assertTrue(text(driver, "mcp-identity-mark").endsWith("Self-registered, unverified"),
                    () -> text(driver, "mcp-identity-mark"));
            assertEquals("127.0.0.1", text(driver, "mcp-redirect-host"));
            assertTrue(text(driver, "mcp-loopback-warning").contains("An application on this computer"),
                    () -> text(driver, "mcp-loopback-warning"));
            assertEquals(request.redirectUri(), text(driver, "mcp-redirect-uri"));
            assertEquals("Weather MCP server", text(driver, "mcp-server-name"));
            assertEquals(SampleRealm.WEATHER_SERVER, text(driver, "mcp-server-uri"));
            List<String> scopes = driver.findElements(By.cssSelector("#mcp-scopes > li")).stream()
                    .map(WebElement::getText).collect(Collectors.toList());
            assertEquals(2, scopes.size(), scopes::toString);
            assertEquals("weather:read (Weather MCP server)", scopes.get(0));
            assertTrue(scopes.get(1).startsWith("Offline access\nIt can keep getting new access"), scopes::toString);
            assertTrue(text(driver, "mcp-registered").startsWith("Registered "), () -> text(driver, "mcp-registered"));
            assertTrue(text(driver, "mcp-registered").matches("Registered .*UTC · (just now|1 minute ago|\\d+ minutes ago)"),
                    () -> text(driver, "mcp-registered"));
            assertTrue(text(driver, "mcp-method").contains("anonymous dynamic client registration"));
            assertTrue(text(driver, "mcp-client-id").endsWith(client.client().clientId()));

            String page = driver.findElement(By.tagName("body")).getText();
            assertFalse(page.contains("mcp-server:"), page);
            assertFalse(page.contains("Sign you in and act on your behalf"), "the client's own entry is not a scope");

            assertEquals("You have not allowed this application before.", text(driver, "mcp-allowed-before"));
            // What Keycloak asks consent for, as marked for automation: the client, the server's grant, the scopes.
            assertEquals(List.of("Sign you in and act on your behalf (this application registered itself)",
                            "Weather MCP server (" + SampleRealm.WEATHER_SERVER + ")",
                            "weather:read (Weather MCP server)", "Offline Access"),
                    consentItems(driver));

            assertButtons(browser, "Allow", "Deny");
            assertKeyboardOrderAndVisibleFocus(browser);
            browser.screenshot(Chromium.screenshotDir().resolve("consent-en.png"));

            driver.findElement(By.id("kc-login")).click();
            assertRedirectWithCodeAndIss(driver, request);

            // Asked again (prompt=consent, same SSO session): the page says what was allowed before.
            openConsent(browser, request(client).set("prompt", "consent"));
            assertEquals("You allowed this application before.", text(driver, "mcp-allowed-before"));
            assertTrue(text(driver, "mcp-server").endsWith("You allowed this before."), () -> text(driver, "mcp-server"));
            assertEquals("weather:read (Weather MCP server)\nYou allowed this before.",
                    driver.findElement(By.cssSelector("#mcp-scopes > li")).getText());
            assertEquals(4, consentItems(driver).size(), () -> consentItems(driver).toString());
        }
    }

    @Test
    void chinesePageWithUiLocales() {
        RegisteredClient client = register("天气助手 " + suffix());
        try (Chromium browser = new Chromium(1280, 900, "en")) {
            WebDriver driver = browser.driver();
            AuthorizationRequest request = request(client).set("ui_locales", "zh-CN");
            openConsent(browser, request);

            assertEquals("zh-CN", driver.findElement(By.tagName("html")).getAttribute("lang"));
            assertEquals(client.name(), text(driver, "mcp-client-name"));
            assertEquals("允许 " + client.name() + " 使用您的账户？", text(driver, "kc-page-title"));
            assertTrue(text(driver, "mcp-identity-mark").endsWith("自行注册，未经验证"), () -> text(driver, "mcp-identity-mark"));
            assertEquals("您将被送回到", text(driver, "mcp-redirect-heading"));
            assertEquals("127.0.0.1", text(driver, "mcp-redirect-host"));
            assertTrue(text(driver, "mcp-loopback-warning").contains("本计算机上的应用"));
            assertEquals("MCP 服务器", text(driver, "mcp-server-heading"));
            assertEquals("Weather MCP server", text(driver, "mcp-server-name"));
            assertEquals(SampleRealm.WEATHER_SERVER, text(driver, "mcp-server-uri"));
            assertEquals("请求的权限", text(driver, "mcp-scopes-heading"));
            assertTrue(text(driver, "mcp-offline").startsWith("离线访问"), () -> text(driver, "mcp-offline"));
            assertTrue(text(driver, "mcp-registered").startsWith("注册于"), () -> text(driver, "mcp-registered"));
            assertTrue(text(driver, "mcp-method").contains("匿名动态客户端注册"));
            assertButtons(browser, "允许", "拒绝");
            browser.screenshot(Chromium.screenshotDir().resolve("consent-zh.png"));

            driver.findElement(By.id("kc-login")).click();
            assertRedirectWithCodeAndIss(driver, request);
        }
    }

    @Test
    void phoneWidthKeepsEverythingReadableWithoutSideScrolling() {
        RegisteredClient client = register("Weather Desk Agent on a phone " + suffix());
        // Its own user: choosing a language in the menu is remembered on the user (Keycloak's "locale" attribute).
        User user = new User("it-phone-" + suffix(), "it-phone-password");
        keycloak.admin().createUser(SampleRealm.NAME, user.username(), user.password());
        try (Chromium browser = new Chromium(375, 812, "en")) {
            WebDriver driver = browser.driver();
            openConsent(browser, request(client), user);

            assertEquals(375L, ((Number) browser.script("return window.innerWidth")).longValue());
            long scrollWidth = ((Number) browser.script("return document.documentElement.scrollWidth")).longValue();
            assertTrue(scrollWidth <= 375, "page is " + scrollWidth + " px wide at 375 px");
            for (String id : List.of("mcp-client-name", "mcp-identity-mark", "mcp-redirect-host", "mcp-loopback-warning",
                    "mcp-server-name", "mcp-server-uri", "mcp-offline", "kc-login", "kc-cancel")) {
                Rectangle box = driver.findElement(By.id(id)).getRect();
                assertTrue(box.getX() >= 0 && box.getX() + box.getWidth() <= 375, id + " leaves the screen: " + box);
            }
            assertButtons(browser, "Allow", "Deny");
            browser.screenshot(Chromium.screenshotDir().resolve("consent-phone.png"));

            // The language menu of the page reloads the same consent page in the other language.
            WebElement languages = driver.findElement(By.id("login-select-toggle"));
            String chinese = languages.findElements(By.tagName("option")).stream()
                    .map(option -> option.getAttribute("value"))
                    .filter(value -> value != null && value.contains("kc_locale=zh-CN")).findFirst()
                    .orElseThrow(() -> new AssertionError("no Chinese in the language menu"));
            new Select(languages).selectByValue(chinese);
            new WebDriverWait(driver, WAIT).until(d -> "zh-CN".equals(d.findElement(By.tagName("html")).getAttribute("lang")));
            assertEquals(client.name(), text(driver, "mcp-client-name"));
            assertTrue(text(driver, "kc-page-title").startsWith("允许"), () -> text(driver, "kc-page-title"));
            assertButtons(browser, "允许", "拒绝");

            // Keycloak's anti-framing headers are still sent with the page (same GET, as a reload would do).
            List<?> response = (List<?>) browser.asyncScript("const done = arguments[arguments.length - 1];"
                    + "fetch(location.href, {credentials: 'include'}).then(r => r.text().then(body => done([r.status,"
                    + " r.headers.get('x-frame-options'), r.headers.get('content-security-policy'),"
                    + " body.includes('id=\"mcp-client-name\"')])))"
                    + ".catch(e => done([0, String(e), null, false]))");
            assertNotNull(response);
            assertEquals(200L, ((Number) response.get(0)).longValue(), response::toString);
            assertEquals("SAMEORIGIN", response.get(1), response::toString);
            assertTrue(String.valueOf(response.get(2)).contains("frame-ancestors 'self'"), response::toString);
            assertEquals(Boolean.TRUE, response.get(3), "the reloaded page is the MCP consent page");
        }
    }

    @Test
    void hostileClientNameIsShownAsTextAndRunsNothing() {
        RegisteredClient hostile = register(HOSTILE_NAME);
        String messageKeys = "Bob's ${msg(\"loginTitle\")} ${loginTitle} {0}";
        RegisteredClient keys = register(messageKeys);
        try (Chromium browser = new Chromium(1280, 900, "en")) {
            WebDriver driver = browser.driver();
            AuthorizationRequest request = request(hostile);
            openConsent(browser, request);

            assertEquals("undefined", browser.script("return typeof window.__xss"));
            assertEquals(0L, browser.script("return document.querySelectorAll('img').length"),
                    "no <img> on the page: neither the injected one nor a client logo");
            assertEquals(0L, browser.script("return Array.from(document.scripts)"
                    + ".filter(s => s.textContent.includes('__xss')).length"));
            assertEquals(0L, browser.script("return document.querySelectorAll('[onerror]').length"));
            // Shown literally, cut to 80 code points: 79 of the name and an ellipsis.
            String expected = HOSTILE_NAME.substring(0, 79) + "…";
            assertEquals(expected, text(driver, "mcp-client-name"));
            assertEquals(expected, browser.script("return document.getElementById('mcp-client-name').textContent"));
            assertTrue(driver.getPageSource().contains("&lt;script&gt;window.__xss=1&lt;/script&gt;&lt;img src=x onerror="),
                    "the name is HTML-escaped in the page");
            browser.screenshot(Chromium.screenshotDir().resolve("consent-hostile.png"));
            driver.findElement(By.id("kc-cancel")).click();
            new WebDriverWait(driver, WAIT).until(d -> d.getCurrentUrl().startsWith(request.redirectUri()));
            assertTrue(driver.getCurrentUrl().contains("error=access_denied"), driver.getCurrentUrl());
            assertEquals("undefined", browser.script("return typeof window.__xss"));

            // Message keys and MessageFormat syntax in a name stay as typed (same browser: SSO session, no login).
            openConsent(browser, request(keys));
            assertEquals(messageKeys, text(driver, "mcp-client-name"));
            assertEquals("Allow " + messageKeys + " to use your account?", text(driver, "kc-page-title"));
            assertFalse(text(driver, "kc-page-title").contains("Sign in to"), "loginTitle was not expanded");
        }
    }

    /** Admin-made clients keep Keycloak's own consent page, in the realm's login theme. */
    @Test
    void adminMadeClientKeepsKeycloaksConsentPage() {
        String clientId = "it-admin-consent-" + suffix();
        String redirectUri = McpClient.loopbackRedirectUri();
        Map<String, Object> representation = new LinkedHashMap<>();
        representation.put("clientId", clientId);
        representation.put("name", "Admin-made ${msg(\"loginTitle\")} client");
        representation.put("enabled", true);
        representation.put("protocol", "openid-connect");
        representation.put("publicClient", true);
        representation.put("consentRequired", true);
        representation.put("standardFlowEnabled", true);
        representation.put("redirectUris", List.of(redirectUri));
        representation.put("optionalClientScopes", List.of("weather:read", "offline_access"));
        keycloak.admin().createClient(SampleRealm.NAME, representation);
        McpClient client = McpClient.preRegistered(keycloak.issuer(), clientId, null, redirectUri);
        AuthorizationRequest request = client.authorizationRequest().scope(SCOPE).resource(SampleRealm.WEATHER_SERVER);
        try (Chromium browser = new Chromium(1280, 900, "en")) {
            WebDriver driver = browser.driver();
            driver.get(request.toUri().toString());
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.presenceOfElementLocated(By.id("kc-form-login")));
            driver.findElement(By.id("username")).sendKeys(User.ALICE.username());
            driver.findElement(By.id("password")).sendKeys(User.ALICE.password());
            driver.findElement(By.id("kc-login")).click();
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.presenceOfElementLocated(By.id("kc-oauth")));

            assertTrue(driver.findElements(By.id("mcp-client-name")).isEmpty(), "MCP layout on an admin-made client");
            assertEquals("Do you grant these access privileges?", driver.findElement(By.cssSelector("#kc-oauth h3")).getText());
            assertTrue(text(driver, "kc-page-title").startsWith("Grant Access to"), () -> text(driver, "kc-page-title"));
            assertEquals(0L, browser.script("return document.querySelectorAll('link[href*=\"/login/mcp/\"]').length"),
                    "rendered with the realm's theme, not the mcp theme");
            assertEquals("Yes", driver.findElement(By.id("kc-login")).getText().trim());
            driver.findElement(By.id("kc-login")).click();
            assertRedirectWithCodeAndIss(driver, request);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static String suffix() {
        return Long.toString(System.nanoTime() % 100000);
    }

    /** Anonymous RFC 7591 registration, as an MCP SDK does it; the redirect URI is a loopback nobody listens on. */
    private static RegisteredClient register(String name) {
        String redirectUri = McpClient.loopbackRedirectUri();
        var result = AdminApi.expect(McpClient.register(keycloak.issuer(), null, name, SCOPE, redirectUri), 201);
        String clientId = result.json().get("client_id").asText();
        return new RegisteredClient(McpClient.preRegistered(keycloak.issuer(), clientId, null, redirectUri), name);
    }

    private static AuthorizationRequest request(RegisteredClient client) {
        return client.client().authorizationRequest().scope(SCOPE).resource(SampleRealm.WEATHER_SERVER);
    }

    /** Opens the authorization request, logs in as alice if asked, and waits for the consent page. */
    private static void openConsent(Chromium browser, AuthorizationRequest request) {
        openConsent(browser, request, User.ALICE);
    }

    /** Opens the authorization request, logs in as {@code user} if asked, and waits for the consent page. */
    private static void openConsent(Chromium browser, AuthorizationRequest request, User user) {
        WebDriver driver = browser.driver();
        driver.get(request.toUri().toString());
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.or(
                ExpectedConditions.presenceOfElementLocated(By.id("kc-form-login")),
                ExpectedConditions.presenceOfElementLocated(By.id("kc-oauth"))));
        if (!driver.findElements(By.id("kc-form-login")).isEmpty()) {
            driver.findElement(By.id("username")).sendKeys(user.username());
            driver.findElement(By.id("password")).sendKeys(user.password());
            driver.findElement(By.id("kc-login")).click();
        }
        new WebDriverWait(driver, WAIT).until(d -> !d.findElements(By.id("mcp-client-name")).isEmpty()
                || d.getCurrentUrl().startsWith(request.redirectUri()));
        assertFalse(driver.findElements(By.id("mcp-client-name")).isEmpty(),
                () -> "no MCP consent page: " + driver.getCurrentUrl() + "\n" + driver.findElement(By.tagName("body")).getText());
        assertNotNull(driver.findElement(By.cssSelector("form[action*='/login-actions/consent'] input[name=code]")));
    }

    /** The {@code data-consent-item} texts of the page, in page order. */
    private static List<String> consentItems(WebDriver driver) {
        return driver.findElements(By.cssSelector("#kc-oauth [data-consent-item]")).stream()
                .map(element -> element.getAttribute("data-consent-item")).collect(Collectors.toList());
    }

    private static String text(WebDriver driver, String id) {
        return driver.findElement(By.id(id)).getText().trim();
    }

    /** Allow and Deny: labelled, same size, side by side, Allow first. */
    private static void assertButtons(Chromium browser, String allow, String deny) {
        WebDriver driver = browser.driver();
        WebElement accept = driver.findElement(By.id("kc-login"));
        WebElement cancel = driver.findElement(By.id("kc-cancel"));
        assertEquals(allow, accept.getText().trim());
        assertEquals(deny, cancel.getText().trim());
        assertEquals("accept", accept.getAttribute("name"));
        assertEquals("cancel", cancel.getAttribute("name"));
        Rectangle a = accept.getRect();
        Rectangle c = cancel.getRect();
        assertEquals(a.getWidth(), c.getWidth(), 1, () -> "widths " + a + " " + c);
        assertEquals(a.getHeight(), c.getHeight(), () -> "heights " + a + " " + c);
        assertEquals(a.getY(), c.getY(), () -> "not on one row: " + a + " " + c);
        assertTrue(a.getX() + a.getWidth() <= c.getX(), () -> "Allow is not left of Deny: " + a + " " + c);
        assertTrue(c.getX() - (a.getX() + a.getWidth()) <= 32, () -> "not adjacent: " + a + " " + c);
        assertTrue(a.getHeight() >= 36, () -> "buttons too small to tap: " + a);
    }

    /** Tab reaches Allow, then Deny, and the focused button shows a focus ring. */
    private static void assertKeyboardOrderAndVisibleFocus(Chromium browser) {
        WebDriver driver = browser.driver();
        WebElement accept = driver.findElement(By.id("kc-login"));
        browser.script("document.getElementById('mcp-client-id').scrollIntoView()");
        browser.script("arguments[0].focus()", accept);
        accept.sendKeys(Keys.TAB);
        assertEquals("kc-cancel", browser.script("return document.activeElement.id"));
        String outline = (String) browser.script("return getComputedStyle(document.activeElement).outlineStyle");
        assertNotEquals("none", outline, "focused Deny button has no visible outline");
        browser.script("document.activeElement.blur(); window.scrollTo(0, 0)");
    }

    private static void assertRedirectWithCodeAndIss(WebDriver driver, AuthorizationRequest request) {
        new WebDriverWait(driver, WAIT).until(d -> d.getCurrentUrl().startsWith(request.redirectUri()));
        URI landed = URI.create(driver.getCurrentUrl());
        Map<String, String> params = query(landed.getRawQuery());
        assertNotNull(params.get("code"), landed::toString);
        assertEquals(keycloak.issuer(), params.get("iss"), landed::toString);
        assertEquals(request.state(), params.get("state"), landed::toString);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw == null) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.putIfAbsent(name, value);
        }
        return params;
    }

    /** A registered client and the name it registered with. */
    private record RegisteredClient(McpClient client, String name) {
    }
}
