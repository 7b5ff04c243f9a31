package io.github.mcpauthz.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keycloak's admin REST API and the extension's {@code mcp-authz} resources, over plain HTTP with a fresh admin token
 * per call. Methods named after a resource return the raw {@link HttpResult} so tests can assert status and body;
 * the {@code create*} helpers are for fixtures and fail unless the call succeeds.
 */
public final class AdminApi {

    private final KeycloakEnvironment keycloak;

    AdminApi(KeycloakEnvironment keycloak) {
        this.keycloak = keycloak;
    }

    // --- generic ---------------------------------------------------------------------------------------------------

    /** {@code path} is relative to the server, e.g. {@code /admin/realms/mcp/clients}. */
    public HttpResult get(String path) {
        return Http.get(keycloak.baseUrl() + path, keycloak.adminToken());
    }

    public HttpResult post(String path, Object body) {
        return Http.postJson(keycloak.baseUrl() + path, keycloak.adminToken(), body);
    }

    public HttpResult put(String path, Object body) {
        return Http.putJson(keycloak.baseUrl() + path, keycloak.adminToken(), body);
    }

    public HttpResult delete(String path) {
        return Http.delete(keycloak.baseUrl() + path, keycloak.adminToken());
    }

    public HttpResult delete(String path, Object body) {
        return Http.deleteJson(keycloak.baseUrl() + path, keycloak.adminToken(), body);
    }

    // --- the extension's registry of MCP servers -------------------------------------------------------------------

    public HttpResult listServers(String realm) {
        return get(serversPath(realm));
    }

    /** {@code POST .../mcp-authz/servers} with {@code {"resource","name","scopes","default"}}. */
    public HttpResult registerServer(String realm, String resource, String name, List<String> scopes, boolean isDefault) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("resource", resource);
        body.put("name", name);
        body.put("scopes", scopes);
        body.put("default", isDefault);
        return post(serversPath(realm), body);
    }

    public HttpResult updateServer(String realm, String id, Object server) {
        return put(serversPath(realm) + "/" + id, server);
    }

    public HttpResult deleteServer(String realm, String id) {
        return delete(serversPath(realm) + "/" + id);
    }

    /** {@code POST /admin/realms/{realm}/mcp-authz/enable} with an empty JSON object. */
    public HttpResult enableMcp(String realm) {
        return post("/admin/realms/" + realm + "/mcp-authz/enable", Map.of());
    }

    private static String serversPath(String realm) {
        return "/admin/realms/" + realm + "/mcp-authz/servers";
    }

    // --- stock Keycloak, for fixtures ------------------------------------------------------------------------------

    public void createRealm(String realm) {
        expect(post("/admin/realms", Map.of("realm", realm, "enabled", true)), 201);
    }

    public void deleteRealm(String realm) {
        expect(delete("/admin/realms/" + realm), 204, 404);
    }

    /** Creates a client from a ClientRepresentation-shaped map and returns its internal id. */
    public String createClient(String realm, Map<String, Object> representation) {
        java.util.Set<String> named = new java.util.LinkedHashSet<>();
        for (String key : List.of("defaultClientScopes", "optionalClientScopes")) {
            if (representation.get(key) instanceof java.util.Collection<?> names) {
                names.forEach(n -> named.add(String.valueOf(n)));
            }
        }
        makeServerScopesExist(realm, named);
        HttpResult result = expect(post("/admin/realms/" + realm + "/clients", representation), 201);
        return idFromLocation(result);
    }

    /**
     * keycloak-mcp-authz makes a registered server's scopes client scopes of the realm on the server's first use (the
     * first authorization request of any client for it), and Keycloak ignores a client's reference to a scope that
     * does not exist. So before a fixture creates a client that names server scopes (as an admin attaches scopes to a
     * client once they exist), this makes the missing ones exist the way the product does: one authorization request
     * for each of their servers, by a temporary admin-made client that is deleted afterwards.
     */
    private void makeServerScopesExist(String realm, java.util.Set<String> names) {
        if (names.isEmpty()) {
            return;
        }
        java.util.Set<String> missing = new java.util.LinkedHashSet<>(names);
        expect(get("/admin/realms/" + realm + "/client-scopes"), 200).json()
                .forEach(scope -> missing.remove(scope.path("name").asText()));
        if (missing.isEmpty()) {
            return;
        }
        HttpResult servers = get(serversPath(realm));
        if (servers.status() != 200) {
            return;
        }
        java.util.Set<String> resources = new java.util.LinkedHashSet<>();
        for (JsonNode server : servers.json()) {
            for (JsonNode scope : server.path("scopes")) {
                if (missing.contains(scope.asText())) {
                    resources.add(server.path("resource").asText());
                }
            }
        }
        firstUse(realm, resources);
    }

    /**
     * One authorization request for each of {@code resources}, in order, by a temporary admin-made client that is
     * deleted afterwards: what makes a server's scopes client scopes of the realm (named after the first server used).
     */
    public void firstUse(String realm, java.util.Collection<String> resources) {
        if (resources.isEmpty()) {
            return;
        }
        String clientId = "first-use-" + Pkce.randomUrlSafe(8).toLowerCase();
        String redirectUri = "http://127.0.0.1:9/callback";
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", clientId);
        client.put("protocol", "openid-connect");
        client.put("publicClient", true);
        client.put("standardFlowEnabled", true);
        client.put("redirectUris", List.of(redirectUri));
        String id = idFromLocation(expect(post("/admin/realms/" + realm + "/clients", client), 201));
        try {
            for (String resource : resources) {
                String uri = keycloak.issuer(realm) + "/protocol/openid-connect/auth?response_type=code&scope=openid"
                        + "&client_id=" + Http.encode(clientId) + "&redirect_uri=" + Http.encode(redirectUri)
                        + "&resource=" + Http.encode(resource) + "&state=first-use"
                        + "&code_challenge=" + Pkce.challenge(Pkce.newVerifier()) + "&code_challenge_method=S256";
                HttpResult page = Http.get(uri, null);
                if (page.status() != 200) {
                    throw new AssertionError("first use of " + resource + " in " + realm + ": " + page.describe());
                }
            }
        } finally {
            expect(delete("/admin/realms/" + realm + "/clients/" + id), 204);
        }
    }

    public JsonNode clientByClientId(String realm, String clientId) {
        JsonNode found = expect(get("/admin/realms/" + realm + "/clients?clientId=" + Http.encode(clientId)), 200).json();
        if (found.size() != 1) {
            throw new AssertionError("expected one client '" + clientId + "' in " + realm + ", found " + found);
        }
        return found.get(0);
    }

    public int countClients(String realm) {
        return expect(get("/admin/realms/" + realm + "/clients?max=10000"), 200).json().size();
    }

    /** A user who can log in without any required action: names, verified email, permanent password. */
    public String createUser(String realm, String username, String password) {
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("username", username);
        user.put("enabled", true);
        user.put("email", username + "@example.com");
        user.put("emailVerified", true);
        user.put("firstName", username);
        user.put("lastName", "Test");
        user.put("credentials", List.of(Map.of("type", "password", "value", password, "temporary", false)));
        return idFromLocation(expect(post("/admin/realms/" + realm + "/users", user), 201));
    }

    /** {@code POST /admin/realms/{r}/clients-initial-access} {@code {"count":10,"expiration":3600}}: the token. */
    public String createInitialAccessToken(String realm) {
        HttpResult result = expect(post("/admin/realms/" + realm + "/clients-initial-access",
                Map.of("count", 10, "expiration", 3600)), 200, 201);
        return result.json().get("token").asText();
    }

    /** Creates a realm from a RealmRepresentation-shaped map ({@code POST /admin/realms}). */
    public void createRealm(Map<String, Object> representation) {
        expect(post("/admin/realms", representation), 201);
    }

    /** Every client whose clientId matches (Keycloak matches exactly here): an empty array when there is none. */
    public JsonNode clientsByClientId(String realm, String clientId) {
        return expect(get("/admin/realms/" + realm + "/clients?clientId=" + Http.encode(clientId)), 200).json();
    }

    public boolean clientExists(String realm, String clientId) {
        return clientsByClientId(realm, clientId).size() > 0;
    }

    /** The internal id of a user, found by exact username. */
    public String userId(String realm, String username) {
        JsonNode found = expect(get("/admin/realms/" + realm + "/users?exact=true&username=" + Http.encode(username)), 200).json();
        if (found.size() != 1) {
            throw new AssertionError("expected one user '" + username + "' in " + realm + ", found " + found);
        }
        return found.get(0).path("id").asText();
    }

    /** {@code GET /admin/realms/{r}/users/{id}/consents}: the clients the user has granted consent to. */
    public JsonNode userConsents(String realm, String userId) {
        return expect(get("/admin/realms/" + realm + "/users/" + userId + "/consents"), 200).json();
    }

    // --- client registration policies (components) -----------------------------------------------------------------

    public static final String REGISTRATION_POLICY_TYPE =
            "org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy";

    /** Every client registration policy component of the realm, anonymous and authenticated. */
    public JsonNode registrationPolicies(String realm) {
        return expect(get("/admin/realms/" + realm + "/components?type=" + Http.encode(REGISTRATION_POLICY_TYPE)), 200)
                .json();
    }

    /** The one policy component with that provider id and sub type ({@code anonymous} / {@code authenticated}). */
    public JsonNode registrationPolicy(String realm, String providerId, String subType) {
        List<JsonNode> found = new ArrayList<>();
        registrationPolicies(realm).forEach(component -> {
            if (providerId.equals(component.path("providerId").asText())
                    && subType.equals(component.path("subType").asText())) {
                found.add(component);
            }
        });
        if (found.size() != 1) {
            throw new AssertionError("expected one " + subType + " " + providerId + " policy in " + realm + ", found "
                    + found);
        }
        return found.get(0);
    }

    /**
     * Sets config entries of a registration policy component ({@code PUT /admin/realms/{r}/components/{id}}), keeping
     * the others.
     */
    public void configureRegistrationPolicy(String realm, String providerId, String subType, Map<String, String> config) {
        ObjectNode component = (ObjectNode) registrationPolicy(realm, providerId, subType).deepCopy();
        ObjectNode values = component.has("config") && component.get("config").isObject()
                ? (ObjectNode) component.get("config") : component.putObject("config");
        config.forEach((key, value) -> values.putArray(key).add(value));
        expect(put("/admin/realms/" + realm + "/components/" + component.path("id").asText(), component), 204, 200);
    }

    // --- events ----------------------------------------------------------------------------------------------------

    /** Stored login events of one type, newest first (only in realms with {@code eventsEnabled}). */
    public JsonNode events(String realm, String type) {
        return expect(get("/admin/realms/" + realm + "/events?max=1000&type=" + Http.encode(type)), 200).json();
    }

    // --- the extension's dynamic client resources ------------------------------------------------------------------

    public HttpResult dynamicClients(String realm) {
        return get("/admin/realms/" + realm + "/mcp-authz/dynamic-clients");
    }

    public HttpResult cleanupDynamicClients(String realm) {
        return post("/admin/realms/" + realm + "/mcp-authz/dynamic-clients/cleanup", Map.of());
    }

    /** Fails with the whole exchange in the message unless the status is one of {@code expected}. */
    public static HttpResult expect(HttpResult result, int... expected) {
        for (int status : expected) {
            if (result.status() == status) {
                return result;
            }
        }
        throw new AssertionError("unexpected status: " + result.describe());
    }

    private static String idFromLocation(HttpResult created) {
        String location = created.header("Location")
                .orElseThrow(() -> new AssertionError("no Location header: " + created.describe()));
        return location.substring(location.lastIndexOf('/') + 1);
    }
}
