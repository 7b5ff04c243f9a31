package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.ConsentRealm;
import io.github.mcpauthz.it.support.Http;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.SampleRealm;
import io.github.mcpauthz.it.support.TokenResponse;
import io.github.mcpauthz.it.support.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server's scopes cost a client nothing until the client is authorized for that server: they become client scopes
 * of the realm when the first client gets them (not at registration), are not realm default scopes, a new client
 * carries none of them, and the first authorization request for
 * a server gives the client that server's scopes (and only those). A registration that asks for a server's scopes
 * gets them, past Keycloak's "Allowed Client Scopes" policy.
 */
@KeycloakIT
class ServerScopesOnDemandIT {

    private static final Set<String> SERVER_SCOPES = Set.of("mcp:tools", "mcp:resources", "weather:read");

    private static KeycloakEnvironment keycloak;
    private static ConsentRealm realm;

    @BeforeAll
    static void createRealm(KeycloakEnvironment environment) {
        keycloak = environment;
        realm = ConsentRealm.createLikeSample(environment, "scopes");
    }

    @AfterAll
    static void deleteRealm() {
        ConsentRealm.deleteIfCreated(realm);
    }

    /**
     * Nothing is created when a server is registered: its scopes (and its consent grant scope) become client scopes
     * when the first client is authorized for it; even then they are no realm default scopes.
     */
    @Test
    void serverScopesAreMadeOnFirstUseAndAreNoRealmDefaults() {
        String resource = "https://on-demand.example.com/mcp";
        String serverId = AdminApi.expect(keycloak.admin().registerServer(realm.name(), resource, "On-demand MCP server",
                List.of("ondemand:read", "ondemand:write"), false), 201).json().path("id").asText();
        assertNull(realm.clientScope("ondemand:read"));
        assertNull(realm.clientScope("ondemand:write"));
        assertNull(realm.clientScope("mcp-server:" + serverId));

        McpClient client = register("first client of the on-demand server", null);
        TokenResponse tokens = client.login(User.ALICE, resource, "ondemand:read");
        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(resource), tokens.audience());

        for (String scope : List.of("ondemand:read", "ondemand:write")) {
            JsonNode made = realm.clientScope(scope);
            assertNotNull(made, "client scope " + scope);
            assertEquals("Scope " + scope + " of MCP server " + resource, made.path("description").asText(), made::toString);
        }
        assertEquals(Set.of("ondemand:read", "ondemand:write"), realm.attachedScopes(client.clientId()).stream()
                .filter(name -> name.startsWith("ondemand:")).collect(java.util.stream.Collectors.toSet()));
        JsonNode grant = realm.clientScope("mcp-server:" + serverId);
        assertNotNull(grant, "grant scope after the first consent");
        assertEquals(serverId, grant.path("attributes").path("mcp.server.id").asText(), grant::toString);

        Set<String> defaults = new HashSet<>();
        for (String kind : List.of("default-default-client-scopes", "default-optional-client-scopes")) {
            AdminApi.expect(keycloak.admin().get("/admin/realms/" + realm.name() + "/" + kind), 200).json()
                    .forEach(scope -> defaults.add(scope.path("name").asText()));
        }
        assertTrue(defaults.contains("offline_access"), defaults::toString);
        for (String scope : List.of("ondemand:read", "ondemand:write", "mcp:tools", "mcp:resources", "weather:read")) {
            assertFalse(defaults.contains(scope), () -> scope + " is a realm default scope: " + defaults);
        }
    }

    @Test
    void firstAuthorizationGivesTheClientThatServersScopesOnly() {
        McpClient client = register("on-demand client", null);
        Set<String> before = realm.attachedScopes(client.clientId());
        for (String scope : SERVER_SCOPES) {
            assertFalse(before.contains(scope), () -> "new client already has " + scope + ": " + before);
        }

        TokenResponse tokens = client.login(User.ALICE, SampleRealm.DEMO_SERVER, "mcp:tools");
        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(SampleRealm.DEMO_SERVER), tokens.audience());
        Set<String> granted = new HashSet<>(Arrays.asList(tokens.accessTokenClaims().path("scope").asText().split(" ")));
        assertTrue(granted.contains("mcp:tools"), granted::toString);

        Set<String> after = realm.attachedScopes(client.clientId());
        assertTrue(after.containsAll(Set.of("mcp:tools", "mcp:resources")), after::toString);
        assertFalse(after.contains("weather:read"), after::toString);
    }

    @Test
    void registrationAskingForAServersScopeGetsIt() {
        Map<String, Object> metadata = metadata("registers weather:read", "weather:read");
        HttpResult result = AdminApi.expect(
                Http.postJson(realm.issuer() + "/clients-registrations/openid-connect", null, metadata), 201);
        assertEquals("weather:read", result.json().path("scope").asText(), result::describe);
        String clientId = result.json().path("client_id").asText();
        Set<String> attached = realm.attachedScopes(clientId);
        assertTrue(attached.contains("weather:read"), attached::toString);
        assertFalse(attached.contains("mcp:tools"), attached::toString);
        // As for any registration that names its scopes, Keycloak gives it no other realm defaults than basic.
        assertFalse(attached.contains("profile"), attached::toString);
    }

    /**
     * A client's first authorization requests for a server, sent at the same moment (an MCP client opening several
     * windows, or a benchmark's warm-up), all get the login page: each attaches the server's scopes in a transaction of
     * its own, so no request fails on the mapping another one made (before: HTTP 500 for all but one).
     */
    @Test
    void concurrentFirstAuthorizationRequestsOfOneClientAllSucceed() throws Exception {
        McpClient client = register("concurrent first requests", null);
        int requests = 8;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(requests);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<HttpResult>> answers = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < requests; i++) {
                java.net.URI uri = client.authorizationRequest().resource(SampleRealm.DEMO_SERVER).scope("mcp:tools").toUri();
                answers.add(pool.submit(() -> {
                    start.await();
                    return Http.get(uri.toString(), null);
                }));
            }
            start.countDown();
            for (java.util.concurrent.Future<HttpResult> answer : answers) {
                HttpResult result = answer.get(120, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(200, result.status(), result::describe);
                assertNotNull(org.jsoup.Jsoup.parse(result.body()).selectFirst("form#kc-form-login"), result::describe);
            }
        } finally {
            pool.shutdownNow();
        }
        Set<String> attached = realm.attachedScopes(client.clientId());
        assertTrue(attached.containsAll(Set.of("mcp:tools", "mcp:resources")), attached::toString);
        TokenResponse tokens = client.login(User.ALICE, SampleRealm.DEMO_SERVER, "mcp:tools");
        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(SampleRealm.DEMO_SERVER), tokens.audience());
    }

    private static McpClient register(String name, String scope) {
        String redirectUri = McpClient.loopbackRedirectUri();
        HttpResult result = AdminApi.expect(Http.postJson(realm.issuer() + "/clients-registrations/openid-connect", null,
                metadata(name, scope, redirectUri)), 201);
        return McpClient.preRegistered(realm.issuer(), result.json().get("client_id").asText(), null, redirectUri);
    }

    private static Map<String, Object> metadata(String name, String scope) {
        return metadata(name, scope, McpClient.loopbackRedirectUri());
    }

    private static Map<String, Object> metadata(String name, String scope, String redirectUri) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("client_name", name);
        metadata.put("redirect_uris", List.of(redirectUri));
        metadata.put("token_endpoint_auth_method", "none");
        if (scope != null) {
            metadata.put("scope", scope);
        }
        return metadata;
    }
}
