package io.github.mcpauthz.it.support;

import java.util.List;
import java.util.Map;

/**
 * A realm of its own for one test class, created the way an admin creates an MCP realm from JSON:
 * {@code POST /admin/realms} with the attribute {@code mcp.enabled=true}, stored events, one MCP server
 * ({@value #SERVER}, scope {@value #SERVER_SCOPE}) and a user. Dynamic registration counters (rate, cap) and
 * events are per realm, so tests in their own realm do not interfere with each other or with the sample realm.
 */
public final class McpTestRealm implements AutoCloseable {

    public static final String SERVER = "https://files.example.com/mcp";
    public static final String SERVER_NAME = "Files MCP server";
    public static final String SERVER_SCOPE = "files:read";

    public static final String DYNAMIC_CLIENT_POLICY = "mcp-dynamic-client";
    public static final String LIMITS_POLICY = "mcp-dynamic-client-limits";
    public static final String ANONYMOUS = "anonymous";
    public static final String AUTHENTICATED = "authenticated";

    private final KeycloakEnvironment keycloak;
    private final String name;
    private final User user;

    private McpTestRealm(KeycloakEnvironment keycloak, String name, User user) {
        this.keycloak = keycloak;
        this.name = name;
        this.user = user;
    }

    /** A realm named {@code <prefix>-<unique suffix>}. */
    public static McpTestRealm create(KeycloakEnvironment keycloak, String prefix) {
        String name = RealmJson.uniqueName(prefix);
        AdminApi admin = keycloak.admin();
        admin.createRealm(representation(name, true));
        User user = new User("carol", "carol-" + Pkce.randomUrlSafe(6));
        admin.createUser(name, user.username(), user.password());
        return new McpTestRealm(keycloak, name, user);
    }

    /**
     * The realm JSON: enabled, {@code mcp.enabled=true}, events stored, and (when {@code withServer}) one
     * {@code mcp-servers} component.
     */
    public static Map<String, Object> representation(String name, boolean withServer) {
        RealmJson realm = RealmJson.mcpRealm(name).events();
        if (withServer) {
            realm.server(SERVER_NAME, SERVER, List.of(SERVER_SCOPE));
        }
        return realm.build();
    }

    /** The {@code mcp-servers} component of {@link #SERVER}, as in the sample realm export. */
    public static Map<String, Object> serverComponent() {
        return RealmJson.serverComponent(SERVER_NAME, SERVER, List.of(SERVER_SCOPE));
    }

    public String name() {
        return name;
    }

    public String issuer() {
        return keycloak.issuer(name);
    }

    public User user() {
        return user;
    }

    public AdminApi admin() {
        return keycloak.admin();
    }

    /**
     * Sets config of the anonymous {@code mcp-dynamic-client-limits} policy: {@code max-dynamic-clients},
     * {@code registrations-per-address}, {@code rate-window-seconds}, {@code idle-lifetime-seconds}.
     */
    public McpTestRealm anonymousLimits(Map<String, String> config) {
        admin().configureRegistrationPolicy(name, LIMITS_POLICY, ANONYMOUS, config);
        return this;
    }

    /** No per-address rate for anonymous registrations: for classes that register many clients. */
    public McpTestRealm withoutAnonymousRateLimit() {
        return anonymousLimits(Map.of("registrations-per-address", "0"));
    }

    /** Anonymous registration. */
    public HttpResult register(Object metadata) {
        return ClientRegistration.register(issuer(), null, metadata);
    }

    /** Anonymous registration that must answer 201. */
    public ClientRegistration.Registered registerOrFail(Object metadata) {
        return ClientRegistration.registerOrFail(issuer(), null, metadata);
    }

    /** An anonymous SDK-shaped public client with a loopback redirect URI, ready for the code flow. */
    public McpClient registerPublicClient(String clientName) {
        String redirectUri = McpClient.loopbackRedirectUri();
        return registerOrFail(ClientRegistration.sdkMetadata(clientName, redirectUri, null)).publicClient(redirectUri);
    }

    public int countClients() {
        return admin().countClients(name);
    }

    @Override
    public void close() {
        admin().deleteRealm(name);
    }

    /** For {@code @AfterAll}: closes (deletes) {@code realm} unless it is null (set-up did not get that far). */
    public static void close(McpTestRealm realm) {
        if (realm != null) {
            realm.close();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
