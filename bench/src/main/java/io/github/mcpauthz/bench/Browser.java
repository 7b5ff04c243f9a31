package io.github.mcpauthz.bench;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A user's browser: its own cookies (so after one login every authorization request rides on the Keycloak session),
 * follows Keycloak's redirects, fills in the login form, accepts a consent page, and stops at the client's redirect.
 */
final class Browser {

    final HttpClient http = Web.client(true);
    final String verifier = Web.randomToken(32);
    final String challenge = Web.s256(verifier);

    /** Logs in (and consents) as the bench user, as far as the redirect with the code; returns the code. */
    String login(BenchRealm realm, String clientId) {
        HttpResponse<String> response = Web.get(http, realm.authorizationUrl(clientId, BenchRealm.REDIRECT, challenge));
        boolean loggedIn = false;
        boolean consented = false;
        for (int step = 0; step < 20; step++) {
            int status = response.statusCode();
            if (status >= 300 && status < 400) {
                String location = Web.location(response).orElseThrow(() -> new BenchException("redirect without Location"));
                if (location.startsWith(BenchRealm.REDIRECT)) {
                    return code(location);
                }
                response = Web.get(http, location);
                continue;
            }
            if (status != 200) {
                throw new BenchException("login in " + realm.name + " (" + realm.side().id + ", " + clientId + "): "
                        + status + " " + Web.abbreviate(response.body()));
            }
            Document page = Jsoup.parse(response.body(), response.uri().toString());
            Element login = page.selectFirst("form#kc-form-login");
            if (login != null && !loggedIn) {
                loggedIn = true;
                response = submit(login, Map.of("username", BenchRealm.USER, "password", BenchRealm.PASSWORD), null);
                continue;
            }
            Element consent = consentForm(page);
            if (consent != null && !consented) {
                consented = true;
                response = submit(consent, Map.of(), "accept");
                continue;
            }
            throw new BenchException("unexpected page during login in " + realm.name + " (" + realm.side().id + "): "
                    + Web.abbreviate(page.text()));
        }
        throw new BenchException("login did not reach the redirect within 20 steps");
    }

    /** With a session: one GET of the authorization endpoint must redirect straight to the client with a code. */
    String codeFromSession(BenchRealm realm, String clientId) {
        HttpResponse<String> response = Web.get(http, realm.authorizationUrl(clientId, BenchRealm.REDIRECT, challenge));
        String location = Web.location(response).orElse("");
        if (response.statusCode() != 302 || !location.startsWith(BenchRealm.REDIRECT)) {
            throw new BenchException(realm.side().id + " authorization with a session: expected a redirect with a code, got "
                    + response.statusCode() + " " + location + " " + Web.abbreviate(response.body()));
        }
        return code(location);
    }

    /**
     * GET of {@code url}, following Keycloak's own redirects (e.g. to {@code login-actions/required-action}) up to the
     * first page, or the first redirect to the client.
     */
    HttpResponse<String> followToPage(String url) {
        HttpResponse<String> response = Web.get(http, url);
        for (int step = 0; step < 5 && response.statusCode() >= 300 && response.statusCode() < 400; step++) {
            String location = Web.location(response).orElse("");
            if (location.isEmpty() || location.startsWith(BenchRealm.REDIRECT)) {
                return response;
            }
            response = Web.get(http, location);
        }
        return response;
    }

    static Element consentForm(Document page) {
        return page.select("form").stream().filter(f -> f.attr("action").contains("/login-actions/consent"))
                .findFirst().orElse(null);
    }

    private static String code(String location) {
        Map<String, String> params = Web.query(location);
        if (params.containsKey("error") || !params.containsKey("code")) {
            throw new BenchException("authorization answered " + location);
        }
        return params.get("code");
    }

    private HttpResponse<String> submit(Element form, Map<String, String> values, String button) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (Element input : form.select("input[name]")) {
            String type = input.attr("type").toLowerCase();
            if (type.equals("submit") || type.equals("button") || type.equals("image")) {
                if (input.attr("name").equals(button)) {
                    fields.put(button, input.val());
                }
                continue;
            }
            if ((type.equals("checkbox") || type.equals("radio")) && !input.hasAttr("checked")) {
                continue;
            }
            fields.put(input.attr("name"), input.val());
        }
        if (button != null) {
            for (Element pressed : form.select("button[name]")) {
                if (pressed.attr("name").equals(button)) {
                    fields.put(button, pressed.val());
                }
            }
            fields.putIfAbsent(button, "Yes");
        }
        fields.putAll(values);
        return Web.postForm(http, form.absUrl("action"), fields);
    }
}
