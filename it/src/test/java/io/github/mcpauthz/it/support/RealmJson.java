package io.github.mcpauthz.it.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one builder of test realm JSON (what {@code POST /admin/realms} takes): an enabled realm with MCP support,
 * plus the MCP servers, users and token settings a test needs. {@link McpTestRealm}, {@link ConsentRealm} and
 * {@link CimdRealm} build their realms with it.
 */
public final class RealmJson {

    private final Map<String, Object> realm = new LinkedHashMap<>();
    private final List<Object> servers = new ArrayList<>();
    private final List<Object> users = new ArrayList<>();

    private RealmJson(String name) {
        realm.put("realm", name);
        realm.put("enabled", true);
        realm.put("attributes", Map.of("mcp.enabled", "true"));
    }

    /** {@code <prefix>-<unique suffix>}. */
    public static String uniqueName(String prefix) {
        return prefix + "-" + Long.toString(System.nanoTime(), 36);
    }

    /** An enabled realm with {@code mcp.enabled=true} and nothing else. */
    public static RealmJson mcpRealm(String name) {
        return new RealmJson(name);
    }

    /** Stores events (registration refusals are checked through them). */
    public RealmJson events() {
        return set("eventsEnabled", true);
    }

    /** Refresh-token rotation as MCP requires for public clients and as the sample realm sets it. */
    public RealmJson rotatingRefreshTokens() {
        set("revokeRefreshToken", true);
        return set("refreshTokenMaxReuse", 0);
    }

    public RealmJson set(String key, Object value) {
        realm.put(key, value);
        return this;
    }

    /** An {@code mcp-servers} component, as in the sample realm export. */
    public RealmJson server(String displayName, String resource, List<String> scopes) {
        servers.add(serverComponent(displayName, resource, scopes));
        return this;
    }

    /** An {@code mcp-servers} component with more config entries (e.g. {@code access-rule}, {@code token-roles}). */
    @SuppressWarnings("unchecked")
    public RealmJson server(String displayName, String resource, List<String> scopes, Map<String, List<String>> config) {
        Map<String, Object> component = serverComponent(displayName, resource, scopes);
        ((Map<String, Object>) component.get("config")).putAll(config);
        servers.add(component);
        return this;
    }

    /** The two servers of the sample realm, with their scopes. */
    public RealmJson sampleServers() {
        server("Demo MCP server", SampleRealm.DEMO_SERVER, List.of("mcp:tools", "mcp:resources"));
        return server("Weather MCP server", SampleRealm.WEATHER_SERVER, List.of("weather:read"));
    }

    /** A user with a verified e-mail and a password, created by the import. */
    public RealmJson user(User user) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("username", user.username());
        json.put("email", user.username() + "@example.com");
        json.put("emailVerified", true);
        json.put("firstName", user.username());
        json.put("lastName", "Test");
        json.put("enabled", true);
        json.put("credentials", List.of(Map.of("type", "password", "value", user.password(), "temporary", false)));
        users.add(json);
        return this;
    }

    public static Map<String, Object> serverComponent(String displayName, String resource, List<String> scopes) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("resource", List.of(resource));
        config.put("display-name", List.of(displayName));
        config.put("scopes", scopes);
        config.put("default-resource", List.of("false"));
        Map<String, Object> component = new LinkedHashMap<>();
        component.put("name", displayName);
        component.put("providerId", "mcp-servers");
        component.put("config", config);
        return component;
    }

    public Map<String, Object> build() {
        Map<String, Object> out = new LinkedHashMap<>(realm);
        if (!servers.isEmpty()) {
            out.put("components", Map.of("org.keycloak.services.ui.extend.UiPageProvider", List.copyOf(servers)));
        }
        if (!users.isEmpty()) {
            out.put("users", List.copyOf(users));
        }
        return out;
    }
}
