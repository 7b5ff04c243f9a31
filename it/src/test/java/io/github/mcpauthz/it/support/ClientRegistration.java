package io.github.mcpauthz.it.support;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RFC 7591 registration and RFC 7592 management at {@code {issuer}/clients-registrations/openid-connect}, with the
 * bodies MCP clients send. Metadata is a plain mutable map, so a test can add, replace or remove any field, or give
 * it the wrong type.
 */
public final class ClientRegistration {

    public static final String OIDC_PROVIDER = "openid-connect";
    /** Keycloak's own registration provider, which takes a ClientRepresentation. */
    public static final String DEFAULT_PROVIDER = "default";

    private ClientRegistration() {
    }

    /**
     * What the TypeScript MCP SDK sends: a public client ({@code none}), code + refresh grants, {@code code}, one
     * redirect URI, and {@code scope} when not null.
     */
    public static Map<String, Object> sdkMetadata(String clientName, String redirectUri, String scope) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("client_name", clientName);
        metadata.put("redirect_uris", new ArrayList<>(List.of(redirectUri)));
        metadata.put("grant_types", new ArrayList<>(List.of("authorization_code", "refresh_token")));
        metadata.put("response_types", new ArrayList<>(List.of("code")));
        metadata.put("token_endpoint_auth_method", "none");
        if (scope != null) {
            metadata.put("scope", scope);
        }
        return metadata;
    }

    /** A confidential web client: https redirect, {@code application_type} web, the given auth method. */
    public static Map<String, Object> webMetadata(String clientName, String redirectUri, String authMethod) {
        Map<String, Object> metadata = sdkMetadata(clientName, redirectUri, null);
        metadata.put("application_type", "web");
        metadata.put("token_endpoint_auth_method", authMethod);
        return metadata;
    }

    public static String endpoint(String issuer) {
        return endpoint(issuer, OIDC_PROVIDER);
    }

    public static String endpoint(String issuer, String provider) {
        return issuer + "/clients-registrations/" + provider;
    }

    /** POST of {@code metadata} (a map, or a raw JSON string); {@code bearer} null for an anonymous registration. */
    public static HttpResult register(String issuer, String bearer, Object metadata) {
        return Http.postJson(endpoint(issuer), bearer, metadata);
    }

    /** {@link #register} that must answer 201. */
    public static Registered registerOrFail(String issuer, String bearer, Object metadata) {
        HttpResult result = AdminApi.expect(register(issuer, bearer, metadata), 201);
        return new Registered(issuer, result.json());
    }

    /** RFC 7592 update: PUT to the provider's client URI with the registration access token. */
    public static HttpResult update(String issuer, String provider, String clientId, String registrationAccessToken,
                                    Object body) {
        return Http.putJson(endpoint(issuer, provider) + "/" + clientId, registrationAccessToken, body);
    }

    /** RFC 7592 read. */
    public static HttpResult read(String issuer, String provider, String clientId, String registrationAccessToken) {
        return Http.get(endpoint(issuer, provider) + "/" + clientId, registrationAccessToken);
    }

    /**
     * Fails unless {@code result} is an RFC 7591 error response: the status, JSON {@code error} = {@code error} and a
     * non-empty {@code error_description}.
     */
    public static void assertError(HttpResult result, int status, String error) {
        if (result.status() != status) {
            throw new AssertionError("expected HTTP " + status + " " + error + ": " + result.describe());
        }
        JsonNode body = result.json();
        if (!error.equals(body.path("error").asText())) {
            throw new AssertionError("expected error " + error + ": " + result.describe());
        }
        if (body.path("error_description").asText().isBlank()) {
            throw new AssertionError("expected a non-empty error_description: " + result.describe());
        }
    }

    /** A 201 registration response (RFC 7591 §3.2.1). */
    public record Registered(String issuer, JsonNode json) {

        public String clientId() {
            return text("client_id");
        }

        public String clientSecret() {
            return text("client_secret");
        }

        public String registrationAccessToken() {
            return text("registration_access_token");
        }

        public String registrationClientUri() {
            return text("registration_client_uri");
        }

        public String tokenEndpointAuthMethod() {
            return text("token_endpoint_auth_method");
        }

        public List<String> redirectUris() {
            List<String> uris = new ArrayList<>();
            json.path("redirect_uris").forEach(uri -> uris.add(uri.asText()));
            return uris;
        }

        /** The registered client, authorizing with {@code redirectUri} and authenticating with {@code authentication}. */
        public McpClient client(String redirectUri, ClientAuthentication authentication) {
            return McpClient.of(issuer, clientId(), redirectUri, authentication);
        }

        /** A public client ({@code none}). */
        public McpClient publicClient(String redirectUri) {
            return client(redirectUri, ClientAuthentication.none());
        }

        private String text(String field) {
            JsonNode value = json.get(field);
            return value == null || value.isNull() ? null : value.asText();
        }

        @Override
        public String toString() {
            return json.toString();
        }
    }
}
