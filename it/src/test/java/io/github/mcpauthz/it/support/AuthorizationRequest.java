package io.github.mcpauthz.it.support;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An authorization request as the TypeScript MCP SDK builds it: {@code response_type=code}, {@code client_id},
 * {@code redirect_uri}, PKCE S256 and {@code state}, plus optional {@code scope} and {@code resource}. Every
 * parameter can be repeated or removed so tests can send what a careless or hostile client would.
 */
public final class AuthorizationRequest {

    private final String authorizationEndpoint;
    private final Map<String, List<String>> params = new LinkedHashMap<>();
    private final String codeVerifier;

    AuthorizationRequest(String authorizationEndpoint, String clientId, String redirectUri) {
        this.authorizationEndpoint = authorizationEndpoint;
        this.codeVerifier = Pkce.newVerifier();
        set("response_type", "code");
        set("client_id", clientId);
        set("redirect_uri", redirectUri);
        set("code_challenge", Pkce.challenge(codeVerifier));
        set("code_challenge_method", "S256");
        set("state", Pkce.randomUrlSafe(16));
    }

    /** Adds one {@code resource} parameter per value; calling it with two values sends the parameter twice. */
    public AuthorizationRequest resource(String... resources) {
        for (String resource : resources) {
            add("resource", resource);
        }
        return this;
    }

    public AuthorizationRequest scope(String scope) {
        return set("scope", scope);
    }

    /** Appends a value (the parameter is repeated if already present). */
    public AuthorizationRequest add(String name, String value) {
        params.computeIfAbsent(name, key -> new ArrayList<>()).add(value);
        return this;
    }

    /** Replaces all values of a parameter. */
    public AuthorizationRequest set(String name, String value) {
        params.put(name, new ArrayList<>(List.of(value)));
        return this;
    }

    public AuthorizationRequest without(String name) {
        params.remove(name);
        return this;
    }

    public String codeVerifier() {
        return codeVerifier;
    }

    public String state() {
        return first("state");
    }

    public String redirectUri() {
        return first("redirect_uri");
    }

    public String clientId() {
        return first("client_id");
    }

    public List<String> values(String name) {
        return List.copyOf(params.getOrDefault(name, List.of()));
    }

    public URI toUri() {
        return URI.create(authorizationEndpoint + "?" + Http.formEncode(params));
    }

    private String first(String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public String toString() {
        return toUri().toString();
    }
}
