package io.github.mcpauthz.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A realm of its own for CIMD tests, created through the admin API: MCP support on ({@code mcp.enabled=true}), the two
 * MCP servers of the sample realm as components, and one user. Its client profile {@code mcp} holds the executor
 * {@value #EXECUTOR}, whose configuration the tests set with {@link #configure(Map)}.
 *
 * <p>Executor configuration keys (defaults in brackets): {@code trust-policy} [{@code open}] or {@code allow-list},
 * {@code allowed-domains}, {@code denied-domains}, {@code allow-http} [false], {@code allowed-address-ranges} [empty;
 * the development allowance for special-use addresses, e.g. {@code 127.0.0.0/8}], {@code min-cache-seconds} [300],
 * {@code max-cache-seconds} [86400], {@code connect-timeout-ms} [2000], {@code read-timeout-ms} [3000],
 * {@code fetch-deadline-ms} [5000], {@code max-document-bytes} [5120], {@code max-concurrent-fetches} [10],
 * {@code max-concurrent-fetches-per-host} [2], {@code failure-cache-seconds} [30].
 */
public final class CimdRealm {

    public static final String EXECUTOR = "mcp-client-id-metadata-document";
    public static final String PROFILE = "mcp";

    /** What a realm needs so that Keycloak may fetch documents from {@link CimdDocumentServer} (loopback). */
    public static final Map<String, Object> LOOPBACK_ALLOWED = Map.of("allowed-address-ranges", List.of("127.0.0.0/8"));

    public static final User USER = new User("carol", "carol-password");

    private final KeycloakEnvironment keycloak;
    private final AdminApi admin;
    private final String name;

    private CimdRealm(KeycloakEnvironment keycloak, String name) {
        this.keycloak = keycloak;
        this.admin = keycloak.admin();
        this.name = name;
    }

    /**
     * Creates {@code <prefix>-<random>} with MCP support, the servers {@link SampleRealm#DEMO_SERVER} and
     * {@link SampleRealm#WEATHER_SERVER}, and the user {@link #USER}; then sets the CIMD executor's configuration to
     * {@code config} (on top of what enabling the realm put there); null leaves the executor alone.
     */
    public static CimdRealm create(KeycloakEnvironment keycloak, String prefix, Map<String, Object> config) {
        CimdRealm realm = new CimdRealm(keycloak, RealmJson.uniqueName(prefix));
        AdminApi.expect(realm.admin.post("/admin/realms", realm.representation()), 201);
        try {
            // Import already sets the realm up (mcp.enabled=true); enabling again is idempotent and makes sure.
            AdminApi.expect(realm.admin.enableMcp(realm.name), 200);
            if (config != null) {
                realm.configure(config);
            }
        } catch (RuntimeException | AssertionError e) {
            realm.delete();
            throw e;
        }
        return realm;
    }

    private Map<String, Object> representation() {
        return RealmJson.mcpRealm(name).set("sslRequired", "none").events().rotatingRefreshTokens()
                .sampleServers().user(USER).build();
    }

    public String name() {
        return name;
    }

    public String issuer() {
        return keycloak.issuer(name);
    }

    public AdminApi admin() {
        return admin;
    }

    public void delete() {
        admin.deleteRealm(name);
    }

    // --- the executor ----------------------------------------------------------------------------------------------

    /** {@code GET /admin/realms/{r}/client-policies/profiles}: the realm's own profiles. */
    public JsonNode profiles() {
        return AdminApi.expect(admin.get(profilesPath()), 200).json();
    }

    /** The CIMD executor's configuration in profile {@value #PROFILE}; fails if the executor is not there. */
    public JsonNode executorConfiguration() {
        return executorEntry(profiles()).path("configuration");
    }

    /**
     * Replaces the CIMD executor's configuration by what enabling the realm put there (kept from the first call)
     * with {@code config} on top, and writes the whole profiles document back
     * ({@code PUT /admin/realms/{r}/client-policies/profiles}). Applies to the next authorization request.
     */
    public void configure(Map<String, Object> config) {
        JsonNode document = profiles().deepCopy();
        ObjectNode executor = executorEntry(document);
        if (initialConfiguration == null) {
            initialConfiguration = executor.path("configuration").isObject()
                    ? (ObjectNode) executor.get("configuration").deepCopy()
                    : Json.MAPPER.createObjectNode();
        }
        ObjectNode configuration = initialConfiguration.deepCopy();
        config.forEach((key, value) -> configuration.set(key, Json.MAPPER.valueToTree(value)));
        executor.set("configuration", configuration);
        HttpResult result = admin.put(profilesPath(), document);
        if (result.status() != 204 && result.status() != 200) {
            throw new AssertionError("cannot configure " + EXECUTOR + " in realm " + name + " with " + configuration
                    + ": " + result.describe());
        }
    }

    private ObjectNode initialConfiguration;

    private ObjectNode executorEntry(JsonNode document) {
        for (JsonNode profile : document.path("profiles")) {
            if (PROFILE.equals(profile.path("name").asText())) {
                for (JsonNode executor : profile.path("executors")) {
                    if (EXECUTOR.equals(executor.path("executor").asText()) && executor instanceof ObjectNode entry) {
                        return entry;
                    }
                }
            }
        }
        throw new AssertionError("executor " + EXECUTOR + " is not in client profile " + PROFILE + " of realm " + name
                + " (has the CIMD provider landed?): " + document);
    }

    private String profilesPath() {
        return "/admin/realms/" + name + "/client-policies/profiles";
    }

    // --- clients, users, consents ----------------------------------------------------------------------------------

    /** The client whose clientId is {@code clientId}, if any ({@code GET .../clients?clientId=}). */
    public Optional<JsonNode> client(String clientId) {
        JsonNode found = AdminApi.expect(admin.get("/admin/realms/" + name + "/clients?clientId="
                + Http.encode(clientId)), 200).json();
        for (JsonNode client : found) {
            if (clientId.equals(client.path("clientId").asText())) {
                return Optional.of(client);
            }
        }
        return Optional.empty();
    }

    public String userId(String username) {
        JsonNode users = AdminApi.expect(admin.get("/admin/realms/" + name + "/users?exact=true&username="
                + Http.encode(username)), 200).json();
        if (users.size() != 1) {
            throw new AssertionError("expected one user " + username + " in " + name + ": " + users);
        }
        return users.get(0).path("id").asText();
    }

    /** The user's consent for {@code clientId} ({@code GET .../users/{id}/consents}), if any. */
    public Optional<JsonNode> consent(User user, String clientId) {
        JsonNode consents = AdminApi.expect(admin.get("/admin/realms/" + name + "/users/" + userId(user.username())
                + "/consents"), 200).json();
        for (JsonNode consent : consents) {
            if (clientId.equals(consent.path("clientId").asText())) {
                return Optional.of(consent);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return name;
    }
}
