package io.github.mcpauthz.it.support;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A realm for consent tests, seen through the admin API: the sample realm {@code mcp} itself, or a copy of it made
 * with {@code POST /admin/realms} (attribute {@code mcp.enabled=true}, the Demo and Weather servers as components,
 * user alice/alice). A copy has its own budget of anonymous registrations (the rate limit counts per realm), so
 * tests that register many clients, or that must not disturb the sample realm, use one.
 */
public final class ConsentRealm {

    /** The scope a dynamic client asks for when it registers, as an MCP SDK does for both sample servers. */
    public static final String REGISTERED_SCOPE = "mcp:tools weather:read";

    private final KeycloakEnvironment keycloak;
    private final String name;
    private final boolean created;

    private ConsentRealm(KeycloakEnvironment keycloak, String name, boolean created) {
        this.keycloak = keycloak;
        this.name = name;
        this.created = created;
    }

    /** The sample realm {@value SampleRealm#NAME} as imported at start. */
    public static ConsentRealm sample(KeycloakEnvironment keycloak) {
        return new ConsentRealm(keycloak, SampleRealm.NAME, false);
    }

    /**
     * A new realm like the sample: same MCP servers (by resource, name and scopes), same token settings, and alice,
     * created the way an admin creates a user (so with the realm's default roles). {@code prefix} names the realm.
     */
    public static ConsentRealm createLikeSample(KeycloakEnvironment keycloak, String prefix) {
        String name = RealmJson.uniqueName(prefix);
        Map<String, Object> realm = RealmJson.mcpRealm(name).set("sslRequired", "external").rotatingRefreshTokens()
                .set("accessTokenLifespan", 300).sampleServers().build();
        AdminApi admin = keycloak.admin();
        AdminApi.expect(admin.post("/admin/realms", realm), 201);
        admin.createUser(name, User.ALICE.username(), User.ALICE.password());
        // As in the sample realm's own history: its demo server is used first, so the scopes it shares with servers a
        // test registers later (mcp:tools) are named after it on consent pages.
        admin.firstUse(name, List.of(SampleRealm.DEMO_SERVER));
        return new ConsentRealm(keycloak, name, true);
    }

    /** Deletes the realm if this class created it; the sample realm stays. */
    public void deleteIfCreated() {
        if (created) {
            keycloak.admin().deleteRealm(name);
        }
    }

    /** For {@code @AfterAll}: deletes {@code realm} if it was created (null: set-up did not get that far). */
    public static void deleteIfCreated(ConsentRealm realm) {
        if (realm != null) {
            realm.deleteIfCreated();
        }
    }

    public String name() {
        return name;
    }

    public String issuer() {
        return keycloak.issuer(name);
    }

    // --- clients ---------------------------------------------------------------------------------------------------

    /**
     * Anonymous RFC 7591 registration with exactly the body an MCP SDK sends: {@code client_name}, one loopback
     * {@code redirect_uris}, {@code token_endpoint_auth_method=none} and {@value #REGISTERED_SCOPE}. Must give 201.
     */
    public McpClient registerAnonymously(String clientName, String redirectUri) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("client_name", clientName);
        metadata.put("redirect_uris", List.of(redirectUri));
        metadata.put("token_endpoint_auth_method", "none");
        metadata.put("scope", REGISTERED_SCOPE);
        HttpResult result = AdminApi.expect(
                Http.postJson(issuer() + "/clients-registrations/openid-connect", null, metadata), 201);
        return McpClient.preRegistered(issuer(), result.json().get("client_id").asText(), null, redirectUri);
    }

    public McpClient registerAnonymously(String clientName) {
        return registerAnonymously(clientName, McpClient.loopbackRedirectUri());
    }

    /** Keycloak's Account Console client of this realm: public, PKCE S256, redirect {@code {issuer}/account/}. */
    public McpClient accountConsoleClient() {
        return McpClient.preRegistered(issuer(), "account-console", null, issuer() + "/account/");
    }

    // --- users, servers, consents (admin API) ----------------------------------------------------------------------

    public String userId(String username) {
        JsonNode users = AdminApi.expect(keycloak.admin().get("/admin/realms/" + name + "/users?exact=true&username="
                + Http.encode(username)), 200).json();
        if (users.size() != 1) {
            throw new AssertionError("expected one user '" + username + "' in " + name + ", found " + users);
        }
        return users.get(0).get("id").asText();
    }

    /** The id of the registered MCP server for {@code resource}, from {@code GET .../mcp-authz/servers}. */
    public String serverId(String resource) {
        JsonNode servers = AdminApi.expect(keycloak.admin().listServers(name), 200).json();
        for (JsonNode server : servers) {
            if (resource.equals(server.path("resource").asText())) {
                return server.get("id").asText();
            }
        }
        throw new AssertionError("no MCP server " + resource + " in " + name + ": " + servers);
    }

    /** The name of the client scope that stands for consent to {@code resource}: {@code mcp-server:<id>}. */
    public String grantScope(String resource) {
        return "mcp-server:" + serverId(resource);
    }

    /** The client scope named {@code name} ({@code GET .../client-scopes}), or null when there is none. */
    public JsonNode clientScope(String name) {
        JsonNode found = null;
        for (JsonNode scope : AdminApi.expect(keycloak.admin().get("/admin/realms/" + this.name + "/client-scopes"), 200)
                .json()) {
            if (name.equals(scope.path("name").asText())) {
                if (found != null) {
                    throw new AssertionError("two client scopes named " + name + " in " + this.name);
                }
                found = scope;
            }
        }
        return found;
    }

    /** Names of the client's default and optional client scopes, as the admin API shows them. */
    public Set<String> attachedScopes(String clientId) {
        String id = keycloak.admin().clientByClientId(name, clientId).path("id").asText();
        Set<String> names = new LinkedHashSet<>();
        for (String kind : List.of("default-client-scopes", "optional-client-scopes")) {
            AdminApi.expect(keycloak.admin().get("/admin/realms/" + name + "/clients/" + id + "/" + kind), 200).json()
                    .forEach(scope -> names.add(scope.path("name").asText()));
        }
        return names;
    }

    /** What an admin does in Clients, Client scopes, Add client scope: attaches {@code scopeName} to the client. */
    public void attachScope(String clientId, String scopeName, boolean asDefault) {
        String id = keycloak.admin().clientByClientId(name, clientId).path("id").asText();
        JsonNode scope = clientScope(scopeName);
        if (scope == null) {
            throw new AssertionError("no client scope " + scopeName + " in " + name);
        }
        AdminApi.expect(keycloak.admin().put("/admin/realms/" + name + "/clients/" + id + "/"
                + (asDefault ? "default" : "optional") + "-client-scopes/" + scope.path("id").asText(), Map.of()), 204);
    }

    /** {@code GET /admin/realms/{realm}/users/{id}/role-mappings}: the raw answer, for failure messages. */
    public HttpResult roleMappings(String userId) {
        return keycloak.admin().get("/admin/realms/" + name + "/users/" + userId + "/role-mappings");
    }

    /** {@code GET /admin/realms/{realm}/users/{id}/consents}: the raw answer. */
    public HttpResult consents(String userId) {
        return keycloak.admin().get("/admin/realms/" + name + "/users/" + userId + "/consents");
    }

    /** The consent entry of {@code clientId} (its client_id, as the admin API shows it), or null when none. */
    public JsonNode consent(String userId, String clientId) {
        JsonNode all = AdminApi.expect(consents(userId), 200).json();
        JsonNode found = null;
        for (JsonNode consent : all) {
            if (clientId.equals(consent.path("clientId").asText())) {
                if (found != null) {
                    throw new AssertionError("two consent entries for " + clientId + ": " + all);
                }
                found = consent;
            }
        }
        return found;
    }

    /** {@code grantedClientScopes} of the client's consent entry; fails when there is no entry. */
    public Set<String> grantedScopes(String userId, String clientId) {
        JsonNode consent = consent(userId, clientId);
        if (consent == null) {
            throw new AssertionError("no consent of user " + userId + " for " + clientId + " in " + name + ": "
                    + consents(userId).body());
        }
        Set<String> scopes = new LinkedHashSet<>();
        consent.path("grantedClientScopes").forEach(scope -> scopes.add(scope.asText()));
        return scopes;
    }

    /** {@code DELETE /admin/realms/{realm}/users/{id}/consents/{clientId}}: what the admin console's "Revoke" does. */
    public HttpResult revokeAsAdmin(String userId, String clientId) {
        return keycloak.admin().delete("/admin/realms/" + name + "/users/" + userId + "/consents/"
                + Http.encode(clientId));
    }

    @Override
    public String toString() {
        return name;
    }
}
