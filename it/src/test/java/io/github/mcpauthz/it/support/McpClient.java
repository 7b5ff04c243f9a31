package io.github.mcpauthz.it.support;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A registered OAuth client driven the way the MCP SDKs drive Keycloak: dynamic registration, authorization code
 * with PKCE S256 through a browser, code exchange and refresh, each with optional {@code resource} parameters.
 */
public final class McpClient {

    private final String issuer;
    private final String clientId;
    private final ClientAuthentication authentication;
    private final String redirectUri;

    private McpClient(String issuer, String clientId, ClientAuthentication authentication, String redirectUri) {
        this.issuer = issuer;
        this.clientId = clientId;
        this.authentication = authentication;
        this.redirectUri = redirectUri;
    }

    /**
     * A client registered elsewhere (e.g. through the admin API); {@code clientSecret} null for a public client,
     * else sent as client_secret_post.
     */
    public static McpClient preRegistered(String issuer, String clientId, String clientSecret, String redirectUri) {
        return new McpClient(issuer, clientId,
                clientSecret == null ? ClientAuthentication.none() : ClientAuthentication.secretPost(clientSecret),
                redirectUri);
    }

    /** A client that authenticates at the token endpoint with {@code authentication}. */
    public static McpClient of(String issuer, String clientId, String redirectUri, ClientAuthentication authentication) {
        return new McpClient(issuer, clientId, authentication, redirectUri);
    }

    /** The same client, authorizing with another redirect URI (e.g. another loopback port). */
    public McpClient withRedirectUri(String otherRedirectUri) {
        return new McpClient(issuer, clientId, authentication, otherRedirectUri);
    }

    /** A loopback callback like an SDK's local listener; nothing needs to listen, the flow stops at the redirect. */
    public static String loopbackRedirectUri() {
        return "http://127.0.0.1:" + ThreadLocalRandom.current().nextInt(20000, 60000) + "/callback";
    }

    /**
     * RFC 7591 registration with the body the TypeScript SDK sends: public client ({@code none}), code + refresh
     * grants, one loopback redirect URI. {@code initialAccessToken} may be null (anonymous registration).
     */
    public static HttpResult register(String issuer, String initialAccessToken, String clientName, String scope,
                                      String redirectUri) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("client_name", clientName);
        metadata.put("redirect_uris", List.of(redirectUri));
        metadata.put("grant_types", List.of("authorization_code", "refresh_token"));
        metadata.put("response_types", List.of("code"));
        metadata.put("token_endpoint_auth_method", "none");
        if (scope != null) {
            metadata.put("scope", scope);
        }
        return Http.postJson(issuer + "/clients-registrations/openid-connect", initialAccessToken, metadata);
    }

    /** {@link #register} that must succeed (201), returning the client it created. */
    public static McpClient registerDynamically(String issuer, String initialAccessToken, String clientName,
                                                String scope) {
        String redirectUri = loopbackRedirectUri();
        HttpResult result = AdminApi.expect(register(issuer, initialAccessToken, clientName, scope, redirectUri), 201);
        JsonNode registered = result.json();
        return new McpClient(issuer, registered.get("client_id").asText(), ClientAuthentication.none(), redirectUri);
    }

    public String clientId() {
        return clientId;
    }

    public String redirectUri() {
        return redirectUri;
    }

    public String issuer() {
        return issuer;
    }

    /** A fresh request (new PKCE verifier and state) without scope or resource. */
    public AuthorizationRequest authorizationRequest() {
        return new AuthorizationRequest(issuer + "/protocol/openid-connect/auth", clientId, redirectUri);
    }

    /** Runs the request in a fresh browser (no SSO session), logging in as {@code user} and accepting consent. */
    public AuthorizationResponse authorize(AuthorizationRequest request, User user) {
        return new Browser().authorize(request, user);
    }

    /** Runs the request in {@code browser}, which may already hold an SSO session. */
    public AuthorizationResponse authorize(AuthorizationRequest request, User user, Browser browser) {
        return browser.authorize(request, user);
    }

    /** The code exchange for a successful authorization, without any {@code resource} yet. */
    public TokenRequest codeExchange(AuthorizationResponse authorization) {
        if (authorization.code() == null) {
            throw new AssertionError("no authorization code: " + authorization.describe());
        }
        return tokenRequest()
                .set("grant_type", "authorization_code")
                .set("code", authorization.code())
                .set("code_verifier", authorization.request().codeVerifier())
                .set("redirect_uri", authorization.request().redirectUri());
    }

    /** Code exchange sending each of {@code resources} as a {@code resource} parameter (none: parameter omitted). */
    public TokenResponse exchange(AuthorizationResponse authorization, String... resources) {
        return codeExchange(authorization).resource(resources).send();
    }

    public TokenRequest refreshRequest(String refreshToken) {
        if (refreshToken == null) {
            throw new AssertionError("no refresh token");
        }
        return tokenRequest()
                .set("grant_type", "refresh_token")
                .set("refresh_token", refreshToken);
    }

    public TokenResponse refresh(String refreshToken, String... resources) {
        return refreshRequest(refreshToken).resource(resources).send();
    }

    /**
     * The whole happy path an SDK runs for one MCP server: authorize with {@code resource} (and {@code scope}),
     * then exchange the code with the same resource. Null arguments are left out. Fails unless a code comes back.
     */
    public TokenResponse login(User user, String resource, String scope) {
        return login(new Browser(), user, resource, scope);
    }

    /** {@link #login(User, String, String)} in a given browser (e.g. a second flow in the same SSO session). */
    public TokenResponse login(Browser browser, User user, String resource, String scope) {
        AuthorizationRequest request = authorizationRequest();
        if (scope != null) {
            request.scope(scope);
        }
        if (resource != null) {
            request.resource(resource);
        }
        AuthorizationResponse authorization = browser.authorize(request, user);
        if (authorization.code() == null) {
            throw new AssertionError("expected an authorization code: " + authorization.describe());
        }
        return resource == null ? exchange(authorization) : exchange(authorization, resource);
    }

    public String tokenEndpoint() {
        return issuer + "/protocol/openid-connect/token";
    }

    /** A token request carrying the client's authentication (client_id, secret, assertion or Basic header). */
    public TokenRequest tokenRequest() {
        TokenRequest request = new TokenRequest(tokenEndpoint());
        authentication.apply(request, clientId);
        return request;
    }

    @Override
    public String toString() {
        return clientId;
    }
}
