package io.github.mcpauthz.it.support;

import org.junit.jupiter.params.provider.Arguments;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The kinds of client every audience rule must hold for. Tests take one as a parameter
 * ({@code @EnumSource(ClientKind.class)}) and create it in {@code @BeforeAll}.
 */
public enum ClientKind {

    /** What an MCP SDK creates: RFC 7591 registration with an initial access token, public, no protocol mappers. */
    DYNAMIC_PUBLIC,

    /** A public client an admin created, full scope allowed (so Keycloak would put {@code account} in aud). */
    ADMIN_PUBLIC,

    /** A confidential client an admin created, authenticating with client_secret_post. */
    ADMIN_CONFIDENTIAL;

    /** Creates a client of this kind in {@code realm} that may request {@code scopes} (space separated). */
    public McpClient create(KeycloakEnvironment keycloak, String realm, String scopes) {
        AdminApi admin = keycloak.admin();
        String issuer = keycloak.issuer(realm);
        String name = "it-" + name().toLowerCase().replace('_', '-') + "-" + Pkce.randomUrlSafe(6).toLowerCase();
        if (this == DYNAMIC_PUBLIC) {
            return McpClient.registerDynamically(issuer, admin.createInitialAccessToken(realm), name, scopes);
        }
        String redirectUri = McpClient.loopbackRedirectUri();
        String secret = this == ADMIN_CONFIDENTIAL ? Pkce.randomUrlSafe(24) : null;
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", name);
        client.put("name", name);
        client.put("enabled", true);
        client.put("protocol", "openid-connect");
        client.put("publicClient", secret == null);
        if (secret != null) {
            client.put("clientAuthenticatorType", "client-secret");
            client.put("secret", secret);
        }
        client.put("standardFlowEnabled", true);
        client.put("directAccessGrantsEnabled", false);
        client.put("redirectUris", List.of(redirectUri));
        if (scopes != null && !scopes.isBlank()) {
            client.put("optionalClientScopes", List.of(scopes.trim().split("\\s+")));
        }
        admin.createClient(realm, client);
        return McpClient.preRegistered(issuer, name, secret, redirectUri);
    }

    /** One client of every kind in {@code realm}, for a test class's {@code @BeforeAll}. */
    public static Map<ClientKind, McpClient> createAll(KeycloakEnvironment keycloak, String realm, String scopes) {
        Map<ClientKind, McpClient> clients = new EnumMap<>(ClientKind.class);
        for (ClientKind kind : values()) {
            clients.put(kind, kind.create(keycloak, realm, scopes));
        }
        return clients;
    }

    /** Every kind paired with every value, for {@code @MethodSource}. */
    public static Stream<Arguments> crossedWith(Object... values) {
        return Arrays.stream(values()).flatMap(kind -> Arrays.stream(values).map(value -> Arguments.of(kind, value)));
    }
}
