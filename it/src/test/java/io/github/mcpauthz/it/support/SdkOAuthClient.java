package io.github.mcpauthz.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.customizer.McpHttpClientAuthorizationErrorHandler;
import io.modelcontextprotocol.common.McpTransportContext;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OAuth for the MCP Java SDK's client, the way the MCP authorization spec (2025-11-25 / 2026-07-28) has an MCP
 * client do it. The SDK (2.1.0) has no OAuth client of its own; it offers two hooks on its Streamable HTTP
 * transport, and this class is both:
 * <ul>
 *   <li>the request customizer: every MCP request carries {@code Authorization: Bearer <current access token>};</li>
 *   <li>the authorization error handler: on 401 or 403 the SDK hands over the response; this reads its
 *       {@code WWW-Authenticate}, authorizes (below) and answers {@code true}, and the SDK sends the request again.</li>
 * </ul>
 * Authorizing: the protected resource metadata from {@code resource_metadata}, the realm's RFC 8414 metadata from its
 * {@code authorization_servers} (issuer checked), anonymous dynamic registration once (the TypeScript SDK's body with
 * the scope of the first challenge), then the code flow with PKCE S256, {@code resource} and the scope: the
 * challenge's scope on a 401, the union of the scope asked for before and the challenge's on a 403
 * {@code insufficient_scope}. The user's browser is a {@link ConsentBrowser} (one SSO session); it logs in and
 * allows, and records what was shown. Everything is recorded for the test to assert on.
 */
public final class SdkOAuthClient implements McpHttpClientAuthorizationErrorHandler.Sync {

    /** One 401/403 the MCP server answered: status and {@code WWW-Authenticate}. */
    public record Challenge(int status, String wwwAuthenticate) {
        public String param(String name) {
            return params(wwwAuthenticate).get(name);
        }
    }

    /** What the client puts in {@code scope} when it registers. */
    public enum RegistrationScope {
        /** The scope of the first challenge, as the TypeScript SDK sends it ({@code scope: resolvedScope}). */
        FIRST_CHALLENGE,
        /** Every scope of the protected resource metadata's {@code scopes_supported}. */
        ALL_SUPPORTED
    }

    private static final Pattern PARAM = Pattern.compile("([A-Za-z_]+)=\"([^\"]*)\"");

    private final User user;
    private final RegistrationScope registrationScope;
    private final ConsentBrowser browser = new ConsentBrowser();
    private final List<Challenge> challenges = Collections.synchronizedList(new ArrayList<>());
    private final List<ConsentBrowser.Outcome> authorizations = Collections.synchronizedList(new ArrayList<>());
    private final List<TokenResponse> tokens = Collections.synchronizedList(new ArrayList<>());
    private final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    private final Set<String> requestedScopes = new LinkedHashSet<>();

    private volatile String accessToken;
    private volatile String refreshToken;
    private JsonNode resourceMetadata;
    private JsonNode authorizationServerMetadata;
    private HttpResult registration;
    private McpClient client;
    private String resource;

    public SdkOAuthClient(User user, RegistrationScope registrationScope) {
        this.user = user;
        this.registrationScope = registrationScope;
    }

    /** The MCP Java SDK's sync client for {@code mcpUrl} (scheme, host, port, path), with this class's hooks. */
    public McpSyncClient mcpClient(String mcpUrl) {
        URI uri = URI.create(mcpUrl);
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
                .builder(uri.getScheme() + "://" + uri.getRawAuthority())
                .endpoint(uri.getRawPath())
                .httpRequestCustomizer((builder, method, endpoint, body, context) -> {
                    String token = accessToken;
                    if (token != null) {
                        builder.header("Authorization", "Bearer " + token);
                    }
                })
                .authorizationErrorHandler(McpHttpClientAuthorizationErrorHandler.fromSync(this))
                .build();
        return io.modelcontextprotocol.client.McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(60))
                .initializationTimeout(Duration.ofSeconds(60))
                .build();
    }

    @Override
    public synchronized boolean handle(HttpResponse.ResponseInfo response, McpTransportContext context) {
        Challenge challenge = new Challenge(response.statusCode(),
                response.headers().firstValue("WWW-Authenticate").orElse(null));
        challenges.add(challenge);
        try {
            if (challenge.wwwAuthenticate() == null) {
                throw new AssertionError(challenge.status() + " without WWW-Authenticate");
            }
            String scope = challenge.param("scope");
            if (challenge.status() == 401) {
                discover(challenge.param("resource_metadata"));
                if (scope == null) {
                    scope = String.join(" ", strings(resourceMetadata.path("scopes_supported")));
                }
                requestedScopes.clear();
            } else if (challenge.status() != 403 || !"insufficient_scope".equals(challenge.param("error"))) {
                throw new AssertionError("not a step-up challenge: " + challenge);
            }
            if (scope != null) {
                requestedScopes.addAll(List.of(scope.trim().split("\\s+")));
            }
            authorize(String.join(" ", requestedScopes));
            return true;
        } catch (Throwable e) {
            failures.add(e);
            return false;
        }
    }

    private void discover(String metadataUrl) {
        if (metadataUrl == null) {
            throw new AssertionError("401 without resource_metadata");
        }
        resourceMetadata = AdminApi.expect(Http.get(metadataUrl, null), 200).json();
        resource = resourceMetadata.path("resource").asText();
        String issuer = resourceMetadata.path("authorization_servers").path(0).asText();
        URI issuerUri = URI.create(issuer);
        authorizationServerMetadata = AdminApi.expect(Http.get(issuerUri.getScheme() + "://"
                + issuerUri.getRawAuthority() + "/.well-known/oauth-authorization-server" + issuerUri.getRawPath(),
                null), 200).json();
        if (!issuer.equals(authorizationServerMetadata.path("issuer").asText())) {
            throw new AssertionError("AS metadata names issuer " + authorizationServerMetadata.path("issuer")
                    + ", expected " + issuer);
        }
        if (client == null) {
            String redirectUri = McpClient.loopbackRedirectUri();
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("client_name", "MCP Java SDK step-up client");
            metadata.put("redirect_uris", List.of(redirectUri));
            metadata.put("grant_types", List.of("authorization_code", "refresh_token"));
            metadata.put("response_types", List.of("code"));
            metadata.put("token_endpoint_auth_method", "none");
            metadata.put("application_type", "native");
            String scope = registrationScope == RegistrationScope.ALL_SUPPORTED
                    ? String.join(" ", strings(resourceMetadata.path("scopes_supported")))
                    : params(challenges.get(challenges.size() - 1).wwwAuthenticate()).get("scope");
            if (scope != null) {
                metadata.put("scope", scope);
            }
            registration = Http.postJson(authorizationServerMetadata.path("registration_endpoint").asText(), null,
                    metadata);
            AdminApi.expect(registration, 201);
            client = McpClient.preRegistered(issuer,
                    registration.json().path("client_id").asText(), null, redirectUri);
            if (!client.tokenEndpoint().equals(authorizationServerMetadata.path("token_endpoint").asText())
                    || !client.authorizationRequest().toUri().toString().startsWith(
                    authorizationServerMetadata.path("authorization_endpoint").asText() + "?")) {
                throw new AssertionError("unexpected endpoints in " + authorizationServerMetadata);
            }
        }
    }

    private void authorize(String scope) {
        AuthorizationRequest request = client.authorizationRequest().resource(resource).scope(scope);
        ConsentBrowser.Outcome outcome = browser.authorize(request, user, ConsentBrowser.Answer.ALLOW);
        authorizations.add(outcome);
        AuthorizationResponse response = outcome.response();
        if (response.code() == null || !request.state().equals(response.state())
                || !client.issuer().equals(response.iss())) {
            throw new AssertionError("authorization failed: " + outcome.describe());
        }
        keep(client.exchange(response, resource));
    }

    /** A refresh with the current refresh token and {@code resource}, as the SDKs send it; keeps the new tokens. */
    public synchronized TokenResponse refresh() {
        TokenResponse refreshed = client.refresh(refreshToken, resource);
        keep(refreshed);
        return refreshed;
    }

    private void keep(TokenResponse response) {
        tokens.add(response);
        if (response.status() != 200 || response.accessToken() == null) {
            throw new AssertionError("token request failed: " + response.describe());
        }
        accessToken = response.accessToken();
        if (response.refreshToken() != null) {
            refreshToken = response.refreshToken();
        }
    }

    public List<Challenge> challenges() {
        return List.copyOf(challenges);
    }

    public List<ConsentBrowser.Outcome> authorizations() {
        return List.copyOf(authorizations);
    }

    public List<TokenResponse> tokens() {
        return List.copyOf(tokens);
    }

    /** What went wrong inside the handler (the SDK then reports only an authorization error). */
    public List<Throwable> failures() {
        return List.copyOf(failures);
    }

    /** Everything recorded, for failure messages. */
    public String describe() {
        return "challenges " + challenges() + "\nfailures " + failures() + "\nregistration "
                + (registration == null ? null : registration.describe()) + "\nauthorizations " + authorizations()
                + "\ntokens " + tokens().stream().map(t -> t.status() == 200 ? t.accessTokenClaims().toString()
                : t.describe()).toList();
    }

    public HttpResult registration() {
        return registration;
    }

    public JsonNode resourceMetadata() {
        return resourceMetadata;
    }

    public McpClient client() {
        return client;
    }

    public String accessToken() {
        return accessToken;
    }

    static Map<String, String> params(String header) {
        Map<String, String> params = new LinkedHashMap<>();
        if (header != null) {
            Matcher matcher = PARAM.matcher(header);
            while (matcher.find()) {
                params.putIfAbsent(matcher.group(1), matcher.group(2));
            }
        }
        return params;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
