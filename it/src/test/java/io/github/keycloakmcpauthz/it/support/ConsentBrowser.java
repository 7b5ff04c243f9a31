package io.github.keycloakmcpauthz.it.support;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

import java.io.IOException;
import java.net.CookieHandler;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A browser for consent tests: like {@link Browser} it keeps Keycloak's cookies (one SSO session across
 * authorizations), follows Keycloak's redirects and fills in the login form, but it records what the user was shown
 * (the login form, the consent page and the items it lists) and answers the consent page as the test says: Yes
 * ({@code accept}) or No ({@code cancel}).
 */
public final class ConsentBrowser {

    /** What the user presses on the consent page. */
    public enum Answer {
        /** The "Yes" button ({@code accept}). */
        ALLOW("accept"),
        /** The "No" button ({@code cancel}). */
        DENY("cancel");

        private final String button;

        Answer(String button) {
            this.button = button;
        }
    }

    /**
     * How one authorization went: where it ended ({@link #response()}), whether the login form was shown and the
     * items of each consent page shown, in order (normally none or one).
     */
    public record Outcome(AuthorizationResponse response, boolean loginShown, List<List<String>> consentPages) {

        public boolean consentShown() {
            return !consentPages.isEmpty();
        }

        /** The items ("Weather MCP server (https://...)", scopes, the client itself) of the one consent page shown. */
        public List<String> consentItems() {
            if (consentPages.size() != 1) {
                throw new AssertionError("expected exactly one consent page, saw " + consentPages.size() + ": "
                        + describe());
            }
            return consentPages.get(0);
        }

        public String describe() {
            return response.describe() + "\n  login form shown: " + loginShown + "; consent pages: " + consentPages;
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    private static final int MAX_STEPS = 20;

    private final HttpClient http = HttpClient.newBuilder()
            .cookieHandler(new LoopbackCookies())
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /**
     * Runs {@code request}: logs in as {@code user} if the login form comes (null: stop there), answers a consent
     * page with {@code answer}, and stops at the redirect to the client's {@code redirect_uri} or at any other page.
     */
    public Outcome authorize(AuthorizationRequest request, User user, Answer answer) {
        String redirectUri = request.redirectUri();
        List<List<String>> consentPages = new ArrayList<>();
        boolean loginShown = false;
        HttpResult response = get(request.toUri());
        for (int step = 0; step < MAX_STEPS; step++) {
            int status = response.status();
            if (status >= 300 && status < 400) {
                HttpResult redirect = response;
                String location = redirect.header("Location")
                        .orElseThrow(() -> new AssertionError("redirect without Location: " + redirect.describe()));
                URI target = redirect.uri().resolve(location);
                if (redirectUri != null && target.toString().startsWith(redirectUri)) {
                    return new Outcome(AuthorizationResponse.redirect(request, target), loginShown,
                            List.copyOf(consentPages));
                }
                response = get(target);
                continue;
            }
            if (status != 200) {
                return new Outcome(AuthorizationResponse.page(request, status, text(response)), loginShown,
                        List.copyOf(consentPages));
            }
            Document page = Jsoup.parse(response.body(), response.uri().toString());
            Element login = page.selectFirst("form#kc-form-login");
            if (login != null) {
                if (loginShown || user == null) {
                    return new Outcome(AuthorizationResponse.page(request, status, "login form shown "
                            + (user == null ? "but no user given" : "again, login failed") + ": " + text(response)),
                            true, List.copyOf(consentPages));
                }
                loginShown = true;
                response = submit(login, Map.of("username", user.username(), "password", user.password()), null);
                continue;
            }
            Element consent = page.select("form").stream()
                    .filter(form -> form.attr("action").contains("/login-actions/consent"))
                    .findFirst().orElse(null);
            if (consent != null) {
                if (!consentPages.isEmpty()) {
                    return new Outcome(AuthorizationResponse.page(request, status, "consent page shown again: "
                            + text(response)), loginShown, List.copyOf(consentPages));
                }
                consentPages.add(consentItems(page));
                response = submit(consent, Map.of(), answer.button);
                continue;
            }
            return new Outcome(AuthorizationResponse.page(request, status, text(response)), loginShown,
                    List.copyOf(consentPages));
        }
        throw new AssertionError("more than " + MAX_STEPS + " steps without reaching " + redirectUri
                + "; last: " + response.describe());
    }

    /**
     * The items the consent page asks about, e.g. "Demo MCP server (http://...)": on Keycloak's page the texts of its
     * list ({@code #kc-oauth li}); on the MCP consent page (dynamic clients) the elements marked
     * {@code data-consent-item}, which carry the same texts.
     */
    private static List<String> consentItems(Document page) {
        List<String> items = new ArrayList<>();
        List<Element> marked = page.select("#kc-oauth [data-consent-item]");
        if (page.getElementById("mcp-client-name") != null) {
            for (Element item : marked) {
                items.add(item.attr("data-consent-item").trim());
            }
            return List.copyOf(items);
        }
        for (Element item : page.select("#kc-oauth li")) {
            items.add(item.text().trim());
        }
        return List.copyOf(items);
    }

    /** Posts the form's fields (hidden ones included) with {@code values} on top, pressing {@code button} if given. */
    private HttpResult submit(Element form, Map<String, String> values, String button) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        for (Element input : form.select("input[name]")) {
            String type = input.attr("type").toLowerCase();
            String name = input.attr("name");
            if (type.equals("submit") || type.equals("button") || type.equals("image")) {
                if (name.equals(button)) {
                    fields.put(name, new ArrayList<>(List.of(input.val())));
                }
                continue;
            }
            if ((type.equals("checkbox") || type.equals("radio")) && !input.hasAttr("checked")) {
                continue;
            }
            fields.computeIfAbsent(name, key -> new ArrayList<>()).add(input.val());
        }
        if (button != null) {
            Element pressed = form.selectFirst("button[name=" + button + "], input[type=submit][name=" + button + "]");
            if (pressed == null) {
                throw new AssertionError("no button '" + button + "' in form " + form.outerHtml());
            }
            fields.put(button, new ArrayList<>(List.of(pressed.val())));
        }
        values.forEach((name, value) -> fields.put(name, new ArrayList<>(List.of(value))));
        HttpRequest request = HttpRequest.newBuilder(URI.create(form.absUrl("action")))
                .timeout(Http.TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(Http.formEncode(fields)))
                .build();
        return Http.send(http, request);
    }

    private HttpResult get(URI uri) {
        return Http.send(http, HttpRequest.newBuilder(uri).timeout(Http.TIMEOUT).GET().build());
    }

    /** The readable text of a page: Keycloak's feedback message first when there is one. */
    private static String text(HttpResult response) {
        String body = response.body() == null ? "" : response.body();
        if (!body.trim().startsWith("<")) {
            return body;
        }
        Document page = Jsoup.parse(body);
        Element feedback = page.selectFirst("#input-error, .kc-feedback-text, .alert-error, .pf-v5-c-alert__title, #kc-error-message");
        String title = page.title();
        String main = feedback != null ? feedback.text() : page.body() != null ? page.body().text() : body;
        return (title.isEmpty() ? "" : "[" + title + "] ") + main + " <" + response.uri() + ">";
    }

    /** Keycloak's login cookies are {@code Secure}; send them to loopback over http as a browser does. */
    private static final class LoopbackCookies extends CookieHandler {

        private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);

        @Override
        public Map<String, List<String>> get(URI uri, Map<String, List<String>> requestHeaders) throws IOException {
            return cookies.get(asSecureIfLoopback(uri), requestHeaders);
        }

        @Override
        public void put(URI uri, Map<String, List<String>> responseHeaders) throws IOException {
            cookies.put(uri, responseHeaders);
        }

        private static URI asSecureIfLoopback(URI uri) {
            String host = uri.getHost();
            boolean loopback = "localhost".equalsIgnoreCase(host) || "127.0.0.1".equals(host) || "[::1]".equals(host);
            if (!loopback || !"http".equalsIgnoreCase(uri.getScheme())) {
                return uri;
            }
            try {
                return new URI("https", uri.getRawUserInfo(), host, uri.getPort(), uri.getRawPath(), null, null);
            } catch (URISyntaxException e) {
                return uri;
            }
        }
    }
}
