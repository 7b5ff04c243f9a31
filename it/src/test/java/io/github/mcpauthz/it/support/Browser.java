package io.github.mcpauthz.it.support;

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
 * The user's browser: keeps Keycloak's cookies (so a second authorization in the same browser rides on the SSO
 * session), follows Keycloak's own redirects one by one, fills in the login form, accepts the consent page, and
 * stops at the first redirect to the client. {@link ConsentBrowser} walks the same way and records what was shown.
 */
public final class Browser {

    private static final int MAX_STEPS = 20;

    private final HttpClient http = HttpClient.newBuilder()
            .cookieHandler(new LoopbackCookies())
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** Whether a button to press must be in the form (else Keycloak's "Yes" is sent for it). */
    private final boolean strictButtons;

    public Browser() {
        this(false);
    }

    Browser(boolean strictButtons) {
        this.strictButtons = strictButtons;
    }

    public AuthorizationResponse authorize(AuthorizationRequest request, User user) {
        ConsentBrowser.Outcome outcome = authorize(request, user, "accept");
        return outcome.response().withPages(outcome.loginShown(), outcome.consentShown());
    }

    /**
     * Runs {@code request}: logs in as {@code user} if the login form comes (null: stop there), answers a consent
     * page with {@code consentButton}, and stops at the redirect to the client's {@code redirect_uri} or at any other
     * page, recording what the user was shown.
     */
    ConsentBrowser.Outcome authorize(AuthorizationRequest request, User user, String consentButton) {
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
                    return new ConsentBrowser.Outcome(AuthorizationResponse.redirect(request, target), loginShown,
                            List.copyOf(consentPages));
                }
                response = get(target);
                continue;
            }
            if (status != 200) {
                return new ConsentBrowser.Outcome(AuthorizationResponse.page(request, status, text(response)),
                        loginShown, List.copyOf(consentPages));
            }
            Document page = Jsoup.parse(response.body(), response.uri().toString());
            Element login = page.selectFirst("form#kc-form-login");
            if (login != null) {
                if (loginShown || user == null) {
                    return new ConsentBrowser.Outcome(AuthorizationResponse.page(request, status, "login form shown "
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
                    return new ConsentBrowser.Outcome(AuthorizationResponse.page(request, status,
                            "consent page shown again: " + text(response)), loginShown, List.copyOf(consentPages));
                }
                consentPages.add(ConsentBrowser.consentItems(page));
                response = submit(consent, Map.of(), consentButton);
                continue;
            }
            return new ConsentBrowser.Outcome(AuthorizationResponse.page(request, status, text(response)),
                    loginShown, List.copyOf(consentPages));
        }
        throw new AssertionError("more than " + MAX_STEPS + " steps without reaching " + redirectUri
                + "; last: " + response.describe());
    }

    /**
     * The user's own logout in this browser: opens the realm's end-session endpoint ({@code .../protocol/openid-connect/logout},
     * no {@code id_token_hint}), confirms Keycloak's "Do you want to log out?" form, and follows Keycloak's redirects.
     * Returns the last page (Keycloak's "You are logged out" page); fails if no confirmation form came.
     */
    public HttpResult logout(URI endSessionEndpoint) {
        HttpResult response = get(endSessionEndpoint);
        Document page = Jsoup.parse(response.body() == null ? "" : response.body(), response.uri().toString());
        Element confirm = page.select("form").stream()
                .filter(form -> form.attr("action").contains("/logout-confirm"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no logout confirmation form: " + response.describe()));
        HttpResult answer = submit(confirm, Map.of(), "confirmLogout");
        for (int step = 0; step < MAX_STEPS && answer.status() >= 300 && answer.status() < 400; step++) {
            HttpResult redirect = answer;
            answer = get(redirect.uri().resolve(redirect.header("Location")
                    .orElseThrow(() -> new AssertionError("redirect without Location: " + redirect.describe()))));
        }
        return answer;
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
        if (button != null && strictButtons) {
            Element pressed = form.selectFirst("button[name=" + button + "], input[type=submit][name=" + button + "]");
            if (pressed == null) {
                throw new AssertionError("no button '" + button + "' in form " + form.outerHtml());
            }
            fields.put(button, new ArrayList<>(List.of(pressed.val())));
        } else if (button != null) {
            for (Element pressed : form.select("button[name]")) {
                if (pressed.attr("name").equals(button)) {
                    fields.put(button, new ArrayList<>(List.of(pressed.val())));
                }
            }
            fields.putIfAbsent(button, new ArrayList<>(List.of("Yes")));
        }
        values.forEach((name, value) -> fields.put(name, new ArrayList<>(List.of(value))));
        String action = form.absUrl("action");
        HttpRequest request = HttpRequest.newBuilder(URI.create(action))
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

    /**
     * Keycloak marks its login cookies {@code Secure} (they are {@code SameSite=None}). Browsers send secure cookies
     * to http://localhost and http://127.0.0.1 anyway (loopback is a secure context); java.net.CookieManager does not,
     * so for loopback hosts it is asked as if the request were https.
     */
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
