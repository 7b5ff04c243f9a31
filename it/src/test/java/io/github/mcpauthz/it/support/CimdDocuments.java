package io.github.mcpauthz.it.support;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Client ID metadata documents shaped like the ones real MCP clients publish (as seen in public issue reports and
 * the clients' own repositories, 2025-2026), each with the {@code client_id} replaced by the test server's URL.
 */
public final class CimdDocuments {

    private CimdDocuments() {
    }

    /** The shapes of real clients, with the redirect URI each one sends for a local callback on {@code port}. */
    public enum Shape {

        /**
         * VS Code ({@code https://vscode.dev/oauth/client-metadata.json}): loopback without port plus the vscode.dev
         * redirect, {@code application_type: native}; it listens on {@code http://127.0.0.1:<port>/}.
         */
        VS_CODE(CimdDocuments::vsCode, port -> "http://127.0.0.1:" + port + "/"),

        /**
         * Claude Code ({@code https://claude.ai/oauth/claude-code-client-metadata}): port-less {@code localhost} and
         * {@code 127.0.0.1} callbacks, no {@code application_type}; it listens on {@code http://localhost:<port>/callback}.
         */
        CLAUDE_CODE(CimdDocuments::claudeCode, port -> "http://localhost:" + port + "/callback"),

        /**
         * Claude Desktop / claude.ai: an https callback and a grant type Keycloak must not enable for a public client
         * ({@code urn:ietf:params:oauth:grant-type:jwt-bearer}), which has to be ignored.
         */
        CLAUDE_DESKTOP(CimdDocuments::claudeDesktop, port -> "https://claude.ai/api/mcp/auth_callback"),

        /** ChatGPT-like: no {@code token_endpoint_auth_method} at all; must still become a public client. */
        CHATGPT(CimdDocuments::chatGpt, port -> "https://chatgpt.com/connector_platform_oauth_redirect");

        private final Function<String, Map<String, Object>> document;
        private final IntFunction<String> redirectUri;

        Shape(Function<String, Map<String, Object>> document, IntFunction<String> redirectUri) {
            this.document = document;
            this.redirectUri = redirectUri;
        }

        public Map<String, Object> document(String clientId) {
            return document.apply(clientId);
        }

        /** The redirect_uri this client sends when its local listener has {@code port}. */
        public String redirectUri(int port) {
            return redirectUri.apply(port);
        }
    }

    public static Map<String, Object> vsCode(String clientId) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("client_id", clientId);
        document.put("client_name", "Visual Studio Code");
        document.put("redirect_uris", List.of("http://127.0.0.1/", "https://vscode.dev/redirect"));
        document.put("grant_types", List.of("authorization_code", "refresh_token"));
        document.put("response_types", List.of("code"));
        document.put("token_endpoint_auth_method", "none");
        document.put("application_type", "native");
        return document;
    }

    public static Map<String, Object> claudeCode(String clientId) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("client_id", clientId);
        document.put("client_name", "Claude Code");
        document.put("client_uri", "https://claude.ai");
        document.put("redirect_uris", List.of("http://localhost/callback", "http://127.0.0.1/callback"));
        document.put("grant_types", List.of("authorization_code", "refresh_token"));
        document.put("response_types", List.of("code"));
        document.put("token_endpoint_auth_method", "none");
        return document;
    }

    public static Map<String, Object> claudeDesktop(String clientId) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("client_id", clientId);
        document.put("client_name", "Claude");
        document.put("client_uri", "https://claude.ai");
        document.put("redirect_uris", List.of("https://claude.ai/api/mcp/auth_callback",
                "http://localhost/callback", "http://127.0.0.1/callback"));
        document.put("grant_types", List.of("authorization_code", "refresh_token",
                "urn:ietf:params:oauth:grant-type:jwt-bearer"));
        document.put("response_types", List.of("code"));
        document.put("token_endpoint_auth_method", "none");
        return document;
    }

    public static Map<String, Object> chatGpt(String clientId) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("client_id", clientId);
        document.put("client_name", "ChatGPT");
        document.put("redirect_uris", List.of("https://chatgpt.com/connector_platform_oauth_redirect"));
        document.put("grant_types", List.of("authorization_code", "refresh_token"));
        document.put("response_types", List.of("code"));
        return document;
    }

    /** The smallest valid public-client document: client_id, client_name, redirect_uris, auth method none. */
    public static Map<String, Object> minimal(String clientId, String... redirectUris) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("client_id", clientId);
        document.put("client_name", "CIMD test client");
        document.put("redirect_uris", List.of(redirectUris));
        document.put("grant_types", List.of("authorization_code", "refresh_token"));
        document.put("response_types", List.of("code"));
        document.put("token_endpoint_auth_method", "none");
        return document;
    }

    /** {@code document} with one field replaced (or added); a null value removes the field. */
    public static Map<String, Object> with(Map<String, Object> document, String field, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(document);
        if (value == null) {
            copy.remove(field);
        } else {
            copy.put(field, value);
        }
        return copy;
    }

    /**
     * {@code document} serialised to exactly {@code bytes} bytes of valid JSON, padded with insignificant whitespace
     * before the closing brace (so the size is the only thing that differs from the compact document).
     */
    public static String padded(Map<String, Object> document, int bytes) {
        String compact = Json.write(document);
        int missing = bytes - compact.getBytes(StandardCharsets.UTF_8).length;
        if (missing < 0) {
            throw new IllegalArgumentException("document is already " + compact.length() + " bytes: " + compact);
        }
        String result = compact.substring(0, compact.length() - 1) + " ".repeat(missing) + "}";
        if (result.getBytes(StandardCharsets.UTF_8).length != bytes || Json.parse(result).isMissingNode()) {
            throw new IllegalStateException("padding went wrong");
        }
        return result;
    }
}
