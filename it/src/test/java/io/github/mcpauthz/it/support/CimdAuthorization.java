package io.github.mcpauthz.it.support;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Authorization requests whose {@code client_id} is a metadata document URL, and the checks for a refused one.
 *
 * <p>A CIMD client has no registration step: it is an {@link McpClient} known by its URL, public (no secret). Keycloak
 * fetches the document when the authorization request arrives, before any login page, so a refusal shows on the
 * answer to the very first request; {@link #firstResponse} makes that request the way a browser does (HTML wanted,
 * no cookies, redirects not followed).
 */
public final class CimdAuthorization {

    private static final HttpClient BROWSER_LIKE = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private CimdAuthorization() {
    }

    /** The client {@code clientIdUrl} of {@code realm}, listening on {@code redirectUri}. */
    public static McpClient client(CimdRealm realm, String clientIdUrl, String redirectUri) {
        return McpClient.preRegistered(realm.issuer(), clientIdUrl, null, redirectUri);
    }

    /** What an MCP SDK sends for the demo server: PKCE S256, state, {@code resource} and {@code scope}. */
    public static AuthorizationRequest request(McpClient client) {
        return client.authorizationRequest().resource(SampleRealm.DEMO_SERVER).scope("mcp:tools");
    }

    /** A loopback callback on a random port: {@code http://127.0.0.1:<port>/callback}. */
    public static String loopbackCallback() {
        return McpClient.loopbackRedirectUri();
    }

    /** The answer to the authorization request itself (no cookies, no redirects followed). */
    public static HttpResult firstResponse(AuthorizationRequest request) {
        return Http.send(BROWSER_LIKE, HttpRequest.newBuilder(request.toUri())
                .timeout(Http.TIMEOUT)
                .header("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
                .GET()
                .build());
    }

    /**
     * Sends {@code request} and checks that Keycloak refused it the way the spec asks for a CIMD failure: HTTP 400
     * with an HTML error page whose text contains one of {@code anyOf} (case-insensitive), no redirect to the
     * client's redirect_uri, and no client created in {@code realm}. Returns the page's text.
     */
    public static String assertRefused(CimdRealm realm, AuthorizationRequest request, String... anyOf) {
        HttpResult page = firstResponse(request);
        String text = pageText(page);
        String context = "\n  request: " + request + "\n  answer: HTTP " + page.status() + " "
                + page.header("Location").map(l -> "Location: " + l + " ").orElse("") + text;
        Optional<String> location = page.header("Location");
        String redirectUri = request.redirectUri();
        assertFalse(location.isPresent() && redirectUri != null && location.get().startsWith(redirectUri),
                "the browser was sent to the client's redirect_uri:" + context);
        assertEquals(400, page.status(), "expected an HTTP 400 error page:" + context);
        assertTrue(page.header("Content-Type").orElse("").toLowerCase(Locale.ROOT).contains("text/html"),
                "expected an HTML page, got Content-Type " + page.header("Content-Type").orElse("(none)") + ":" + context);
        String message = errorMessage(page);
        if (Arrays.stream(anyOf).noneMatch(word -> mentions(message, word))) {
            fail("the error message should say why (one of " + Arrays.toString(anyOf) + " in \"" + message + "\"):"
                    + context);
        }
        assertNoClient(realm, request.clientId());
        return text;
    }

    /** No client with this clientId exists ({@code GET /admin/realms/{r}/clients?clientId=} is empty). */
    public static void assertNoClient(CimdRealm realm, String clientId) {
        realm.client(clientId).ifPresent(client ->
                fail("a client was created for a refused document: " + client));
    }

    /**
     * The error description of a Keycloak error page ({@code #kc-error-message .instruction}), or the whole text of
     * another page. Keywords are looked for here rather than in the whole page, which also shows the realm name.
     */
    public static String errorMessage(HttpResult page) {
        String body = page.body() == null ? "" : page.body();
        Element instruction = Jsoup.parse(body).selectFirst("#kc-error-message .instruction");
        return instruction != null ? instruction.text() : pageText(page);
    }

    /** Case-insensitive; a number only as a whole word (so 500 is not found in port 45003). */
    static boolean mentions(String text, String word) {
        if (word.chars().allMatch(Character::isDigit)) {
            return Pattern.compile("(?<![0-9])" + word + "(?![0-9])").matcher(text).find();
        }
        return text.toLowerCase(Locale.ROOT).contains(word.toLowerCase(Locale.ROOT));
    }

    /** The visible text of an HTML page (or the body as is when it is not HTML). */
    public static String pageText(HttpResult page) {
        String body = page.body() == null ? "" : page.body();
        if (!body.trim().startsWith("<")) {
            return body;
        }
        Document document = Jsoup.parse(body);
        return (document.title().isEmpty() ? "" : "[" + document.title() + "] ")
                + (document.body() == null ? "" : document.body().text());
    }

    /** The port of a loopback redirect URI, for building another URI on the same listener. */
    public static int port(String redirectUri) {
        return URI.create(redirectUri).getPort();
    }
}
