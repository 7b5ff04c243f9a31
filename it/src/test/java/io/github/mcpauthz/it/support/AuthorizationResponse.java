package io.github.mcpauthz.it.support;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How an authorization request ended: either Keycloak redirected the browser to the client's {@code redirect_uri}
 * (with {@code code}/{@code state}/{@code iss}, or {@code error}/{@code error_description}), or it stopped on a page
 * of its own (an error page, or a page the flow does not know how to get past).
 */
public final class AuthorizationResponse {

    private final AuthorizationRequest request;
    private final URI redirect;
    private final Map<String, String> params;
    private final int pageStatus;
    private final String pageText;
    private final boolean loginShown;
    private final boolean consentShown;

    private AuthorizationResponse(AuthorizationRequest request, URI redirect, Map<String, String> params,
                                  int pageStatus, String pageText, boolean loginShown, boolean consentShown) {
        this.request = request;
        this.redirect = redirect;
        this.params = params;
        this.pageStatus = pageStatus;
        this.pageText = pageText;
        this.loginShown = loginShown;
        this.consentShown = consentShown;
    }

    static AuthorizationResponse redirect(AuthorizationRequest request, URI location) {
        Map<String, String> params = new LinkedHashMap<>();
        String query = location.getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.putIfAbsent(name, value);
            }
        }
        return new AuthorizationResponse(request, location, Collections.unmodifiableMap(params), 302, null, false, false);
    }

    static AuthorizationResponse page(AuthorizationRequest request, int status, String text) {
        return new AuthorizationResponse(request, null, Map.of(), status, text, false, false);
    }

    /** The same outcome, recording which of Keycloak's pages the browser went through on the way. */
    AuthorizationResponse withPages(boolean login, boolean consent) {
        return new AuthorizationResponse(request, redirect, params, pageStatus, pageText, login, consent);
    }

    /** True when Keycloak showed its login form (and the browser submitted it). */
    public boolean loginShown() {
        return loginShown;
    }

    /** True when Keycloak showed its consent page (a form posting to {@code /login-actions/consent}) and it was accepted. */
    public boolean consentShown() {
        return consentShown;
    }

    public AuthorizationRequest request() {
        return request;
    }

    /** True when Keycloak sent the browser back to the client (success or error). */
    public boolean redirectedToClient() {
        return redirect != null;
    }

    public URI location() {
        return redirect;
    }

    public Map<String, String> params() {
        return params;
    }

    public String param(String name) {
        return params.get(name);
    }

    public String code() {
        return param("code");
    }

    public String state() {
        return param("state");
    }

    public String iss() {
        return param("iss");
    }

    public String error() {
        return param("error");
    }

    public String errorDescription() {
        return param("error_description");
    }

    /** The status of the Keycloak page the flow stopped at (when not redirected). */
    public int pageStatus() {
        return pageStatus;
    }

    public String pageText() {
        return pageText;
    }

    /** For assertion messages. */
    public String describe() {
        String pages = " [login page " + (loginShown ? "shown" : "not shown") + ", consent page "
                + (consentShown ? "shown" : "not shown") + "]";
        return redirect != null
                ? "redirect to client: " + redirect + pages
                : "stopped on a Keycloak page (HTTP " + pageStatus + "): " + pageText + pages
                + "\n  request: " + request;
    }

    @Override
    public String toString() {
        return describe();
    }
}
