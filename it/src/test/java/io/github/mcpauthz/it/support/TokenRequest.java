package io.github.mcpauthz.it.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A token endpoint request (form-encoded), prefilled by {@link McpClient} the way the TypeScript SDK sends it; every
 * parameter can be repeated, replaced or removed.
 */
public final class TokenRequest {

    private final String tokenEndpoint;
    private final Map<String, List<String>> form = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();

    TokenRequest(String tokenEndpoint) {
        this.tokenEndpoint = tokenEndpoint;
    }

    /** Adds one {@code resource} parameter per value. */
    public TokenRequest resource(String... resources) {
        for (String resource : resources) {
            add("resource", resource);
        }
        return this;
    }

    public TokenRequest add(String name, String value) {
        form.computeIfAbsent(name, key -> new ArrayList<>()).add(value);
        return this;
    }

    public TokenRequest set(String name, String value) {
        form.put(name, new ArrayList<>(List.of(value)));
        return this;
    }

    public TokenRequest without(String name) {
        form.remove(name);
        return this;
    }

    /** Sets a request header, e.g. {@code Authorization} for client_secret_basic. */
    public TokenRequest header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public String tokenEndpoint() {
        return tokenEndpoint;
    }

    public TokenResponse send() {
        return new TokenResponse(Http.postForm(tokenEndpoint, form, headers));
    }
}
