package io.github.mcpauthz.core.client;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.core.ScopeNames;

/**
 * Validates the RFC 7591 / OIDC registration metadata of a dynamic MCP client and derives what the realm stores.
 * Pure: no Keycloak session; every value is treated as hostile.
 */
public final class DynamicClientMetadata {

    public static final Set<String> ALLOWED_GRANT_TYPES = Set.of("authorization_code", "refresh_token");
    public static final List<String> DEFAULT_AUTH_METHODS =
            List.of("none", "client_secret_basic", "client_secret_post", "private_key_jwt");
    public static final int MAX_NAME_LENGTH = 200;
    public static final int MAX_SOFTWARE_FIELD_LENGTH = 200;

    /** Shown to the user or linked from Keycloak's pages; never fetched by Keycloak. */
    private static final List<String> HTTPS_URI_FIELDS = List.of("client_uri", "logo_uri", "tos_uri", "policy_uri");

    /**
     * Fields that would make Keycloak connect to, or send the browser to, a URL the client chose: {@code request_uris}
     * (fetched at the authorization endpoint before login), {@code sector_identifier_uri} (fetched at registration),
     * {@code jwks_uri} (fetched when the client authenticates), {@code backchannel_logout_uri} and
     * {@code backchannel_client_notification_endpoint} (POSTed to), {@code frontchannel_logout_uri} (loaded in the
     * user's browser at logout) and {@code initiate_login_uri}. MCP clients need none of them.
     */
    public static final List<String> REFUSED_FIELDS = List.of("request_uris", "sector_identifier_uri", "jwks_uri",
            "backchannel_logout_uri", "backchannel_client_notification_endpoint", "frontchannel_logout_uri",
            "initiate_login_uri");

    public static final int MAX_JWKS_KEYS = 10;
    public static final int MIN_RSA_BITS = 2048;

    /** What a realm accepts; set by the admin on the registration policy. */
    public record Rules(int maxRedirectUris, List<String> allowedAuthMethods, boolean allowPrivateUseSchemes,
                        List<String> allowedSchemes) {

        /** With the default list of single-word redirect URI schemes. */
        public Rules(int maxRedirectUris, List<String> allowedAuthMethods, boolean allowPrivateUseSchemes) {
            this(maxRedirectUris, allowedAuthMethods, allowPrivateUseSchemes, RedirectUriRules.DEFAULT_ALLOWED_SCHEMES);
        }
    }

    /** Metadata that passed validation, in the form the client is stored. */
    public record Validated(List<String> redirectUris, ApplicationType applicationType, boolean applicationTypeInferred,
                            Set<String> redirectHosts, String tokenEndpointAuthMethod, String clientName,
                            String softwareId, String softwareVersion, List<String> resources,
                            List<String> postLogoutRedirectUris) {
    }

    private DynamicClientMetadata() {
    }

    public static Validated validate(JsonNode metadata, Rules rules) throws ClientMetadataException {
        if (metadata == null || !metadata.isObject()) {
            throw ClientMetadataException.metadata("client metadata must be a JSON object");
        }
        if (metadata.hasNonNull("client_secret")) {
            throw ClientMetadataException.metadata("client_secret must not be sent; the server issues it");
        }

        ApplicationType declaredType = ApplicationType.parse(optionalString(metadata, "application_type"));

        List<String> rawRedirects = stringList(metadata, "redirect_uris", ClientMetadataException.INVALID_REDIRECT_URI);
        if (rawRedirects.isEmpty()) {
            throw ClientMetadataException.redirect("redirect_uris is required and must list at least one URI");
        }
        if (rawRedirects.size() > rules.maxRedirectUris()) {
            throw ClientMetadataException.redirect("at most " + rules.maxRedirectUris() + " redirect_uris may be registered");
        }
        List<RedirectUriRules.Accepted> accepted = new ArrayList<>();
        for (String raw : rawRedirects) {
            accepted.add(RedirectUriRules.check(raw, rules.allowPrivateUseSchemes(), rules.allowedSchemes()));
        }
        // OIDC says a missing application_type means "web"; MCP clients built on the TypeScript SDK send none
        // and use loopback redirects, so the type is inferred from the redirect URIs instead.
        ApplicationType type = declaredType;
        boolean inferred = false;
        if (type == null) {
            inferred = true;
            type = accepted.stream().allMatch(a -> a.kind() == RedirectUriRules.Kind.HTTPS)
                    ? ApplicationType.WEB : ApplicationType.NATIVE;
        }
        List<String> stored = new ArrayList<>();
        Set<String> hosts = new LinkedHashSet<>();
        for (int i = 0; i < accepted.size(); i++) {
            RedirectUriRules.checkApplicationType(accepted.get(i), type, rawRedirects.get(i));
            if (!stored.contains(accepted.get(i).stored())) {
                stored.add(accepted.get(i).stored());
            }
            hosts.add(accepted.get(i).host());
        }

        List<String> postLogout = new ArrayList<>();
        for (String raw : stringList(metadata, "post_logout_redirect_uris", ClientMetadataException.INVALID_REDIRECT_URI)) {
            RedirectUriRules.Accepted a = RedirectUriRules.check(raw, rules.allowPrivateUseSchemes(), rules.allowedSchemes());
            RedirectUriRules.checkApplicationType(a, type, raw);
            postLogout.add(a.stored());
        }

        List<String> grantTypes = stringList(metadata, "grant_types", ClientMetadataException.INVALID_CLIENT_METADATA);
        for (String grant : grantTypes) {
            if (!ALLOWED_GRANT_TYPES.contains(grant)) {
                throw ClientMetadataException.metadata("grant type \"" + abbreviate(grant)
                        + "\" is not allowed for MCP clients; allowed: authorization_code, refresh_token");
            }
        }
        if (!grantTypes.isEmpty() && !grantTypes.contains("authorization_code")) {
            throw ClientMetadataException.metadata("grant_types must include authorization_code");
        }
        for (String responseType : stringList(metadata, "response_types", ClientMetadataException.INVALID_CLIENT_METADATA)) {
            if (!responseType.equals("code")) {
                throw ClientMetadataException.metadata("response type \"" + abbreviate(responseType)
                        + "\" is not allowed for MCP clients; allowed: code");
            }
        }

        String authMethod = optionalString(metadata, "token_endpoint_auth_method");
        if (authMethod == null) {
            authMethod = "client_secret_basic"; // RFC 7591 §2 default
        }
        if (!rules.allowedAuthMethods().contains(authMethod)) {
            throw ClientMetadataException.metadata("token_endpoint_auth_method \"" + abbreviate(authMethod)
                    + "\" is not allowed; allowed: " + String.join(", ", rules.allowedAuthMethods()));
        }
        checkKeysAndFetchedUris(metadata, authMethod);
        checkAlgorithms(metadata);

        for (String field : HTTPS_URI_FIELDS) {
            String value = optionalString(metadata, field);
            if (value != null) {
                checkHttpsUri(field, value);
            }
        }

        String name = optionalString(metadata, "client_name");
        if (name != null) {
            checkText("client_name", name, MAX_NAME_LENGTH);
        }
        String softwareId = optionalString(metadata, "software_id");
        if (softwareId != null) {
            checkText("software_id", softwareId, MAX_SOFTWARE_FIELD_LENGTH);
        }
        String softwareVersion = optionalString(metadata, "software_version");
        if (softwareVersion != null) {
            checkText("software_version", softwareVersion, MAX_SOFTWARE_FIELD_LENGTH);
        }
        String scope = optionalString(metadata, "scope");
        if (scope != null) {
            for (String s : scope.split(" ")) {
                if (!s.isEmpty() && !ScopeNames.isValid(s)) {
                    throw ClientMetadataException.metadata("scope contains an invalid scope name: " + abbreviate(s));
                }
                if (ScopeNames.isReserved(s)) {
                    throw ClientMetadataException.metadata(ScopeNames.RESERVED_IN_CLIENT_METADATA);
                }
            }
        }
        List<String> resources = new ArrayList<>();
        JsonNode resource = metadata.get("resource");
        if (resource != null && !resource.isNull()) {
            if (resource.isTextual()) {
                resources.add(resource.asText());
            } else {
                resources.addAll(stringList(metadata, "resource", ClientMetadataException.INVALID_CLIENT_METADATA));
            }
        }
        return new Validated(List.copyOf(stored), type, inferred, hosts, authMethod, name, softwareId, softwareVersion,
                List.copyOf(resources), List.copyOf(postLogout));
    }

    /**
     * The rules that must hold before Keycloak's registration converter sees the metadata (it parses {@code jwks}
     * without catching errors): refused URL fields, {@code subject_type}, and inline keys for {@code private_key_jwt}.
     * {@code authMethod} null means the RFC 7591 default.
     */
    public static void checkKeysAndFetchedUris(JsonNode metadata, String authMethod) throws ClientMetadataException {
        if (authMethod == null) {
            authMethod = "client_secret_basic";
        }
        for (String field : REFUSED_FIELDS) {
            JsonNode value = metadata.get(field);
            if (value != null && !value.isNull()) {
                throw ClientMetadataException.metadata(field + " is not accepted for MCP clients"
                        + (field.equals("jwks_uri") ? "; send the public keys inline as jwks" : ""));
            }
        }
        String subjectType = optionalString(metadata, "subject_type");
        if (subjectType != null && !subjectType.equals("public")) {
            throw ClientMetadataException.metadata("subject_type must be \"public\"; pairwise identifiers are not offered");
        }
        if (authMethod.equals("private_key_jwt") && !metadata.hasNonNull("jwks")) {
            throw ClientMetadataException.metadata("private_key_jwt requires the client's public keys inline as jwks");
        }
        if (metadata.hasNonNull("jwks")) {
            if (!authMethod.equals("private_key_jwt")) {
                throw ClientMetadataException.metadata("jwks is accepted only with token_endpoint_auth_method private_key_jwt");
            }
            ClientKeys.check(metadata.get("jwks"));
        }
    }

    private static void checkHttpsUri(String field, String value) throws ClientMetadataException {
        if (value.length() > RedirectUriRules.MAX_LENGTH) {
            throw ClientMetadataException.metadata(field + " is longer than " + RedirectUriRules.MAX_LENGTH + " characters");
        }
        java.net.URI uri;
        try {
            uri = new java.net.URI(value);
        } catch (java.net.URISyntaxException e) {
            throw ClientMetadataException.metadata(field + " is not a valid URI");
        }
        if (uri.getScheme() == null || !uri.getScheme().toLowerCase(Locale.ROOT).equals("https")
                || uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw ClientMetadataException.metadata(field + " must be an https URL with a host and no user information");
        }
    }

    private static void checkText(String field, String value, int max) throws ClientMetadataException {
        if (value.isBlank()) {
            throw ClientMetadataException.metadata(field + " must not be blank");
        }
        String problem = DisplayText.problem(field, value, max);
        if (problem != null) {
            throw ClientMetadataException.metadata(problem);
        }
    }

    /** No signing or encryption algorithm may be "none" (unsigned ID tokens, request objects, userinfo, ...). */
    private static void checkAlgorithms(JsonNode metadata) throws ClientMetadataException {
        for (Iterator<String> names = metadata.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!field.endsWith("_alg")) {
                continue;
            }
            String value = optionalString(metadata, field);
            if (value != null && (value.isBlank() || value.strip().equalsIgnoreCase("none"))) {
                throw ClientMetadataException.metadata(field + " must name an algorithm; \"none\" is not accepted");
            }
        }
    }

    private static String optionalString(JsonNode metadata, String field) throws ClientMetadataException {
        JsonNode node = metadata.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ClientMetadataException.metadata(field + " must be a string");
        }
        return node.asText();
    }

    private static List<String> stringList(JsonNode metadata, String field, String error) throws ClientMetadataException {
        JsonNode node = metadata.get(field);
        List<String> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw new ClientMetadataException(error, field + " must be an array of strings");
        }
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
            JsonNode element = it.next();
            if (!element.isTextual()) {
                throw new ClientMetadataException(error, field + " must be an array of strings");
            }
            out.add(element.asText());
        }
        return out;
    }

    private static String abbreviate(String value) {
        return RedirectUriRules.abbreviate(value);
    }
}
