package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.ConsentBrowser;
import io.github.mcpauthz.it.support.Jwt;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.SdkOAuthClient;
import io.github.mcpauthz.it.support.SdkOAuthClient.Challenge;
import io.github.mcpauthz.it.support.SdkOAuthClient.RegistrationScope;
import io.github.mcpauthz.it.support.RealmJson;
import io.github.mcpauthz.it.support.TokenResponse;
import io.github.mcpauthz.it.support.User;
import io.github.mcpauthz.demo.DemoConfig;
import io.github.mcpauthz.demo.DemoMcpServer;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import static io.github.mcpauthz.it.support.ConsentAssertions.CLIENT_ITEM;
import static io.github.mcpauthz.it.support.User.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo MCP server (module {@code demo-mcp-server}, started in this JVM on a free port) against this run's
 * Keycloak, driven by the MCP Java SDK's client through the whole MCP authorization flow, step-up included: 401 →
 * discovery → dynamic registration → login and consent → token with {@code resource} → tool call; a write tool → 403
 * {@code insufficient_scope} → authorization again with the union of scopes → a consent page that lists only the new
 * scope → a token with both scopes and the same {@code aud} → the write tool runs; a refresh keeps both scopes.
 *
 * <p>Its own realm (the sample realm's demo server is at port 3001, which this test must not need): MCP enabled, the
 * demo server at {@code http://localhost:<port>/mcp} with {@code mcp:tools} and {@code mcp:write}, a second server,
 * and alice.
 */
@KeycloakIT
class DemoServerStepUpIT {

    private static final String SERVER_NAME = "Demo MCP server";
    private static final String OTHER_SERVER = "https://other.example.com/mcp";
    /** A second user, so that each flow starts with no notes on the shared demo server. */
    private static final User BOB = new User("bob", "bob-step-up");
    /** Has the realm role mcp-admin, which the demo server's tokens carry in their roles claim. */
    private static final User CAROL = new User("carol", "carol-step-up");
    /** Without mcp-admin. */
    private static final User DAVE = new User("dave", "dave-step-up");

    private static KeycloakEnvironment keycloak;
    private static DemoMcpServer demo;
    private static String realm;

    @BeforeAll
    static void start(KeycloakEnvironment environment) {
        keycloak = environment;
        realm = "demo-step-up-" + Long.toString(System.nanoTime(), 36);
        demo = DemoMcpServer.start(new DemoConfig("127.0.0.1", 0, keycloak.issuer(realm), null));
        Map<String, Object> representation = RealmJson.mcpRealm(realm).set("sslRequired", "external")
                .rotatingRefreshTokens()
                .server(SERVER_NAME, demo.resource(), List.of("mcp:tools", "mcp:write"),
                        Map.of("token-roles", List.of("realm")))
                .server("Other MCP server", OTHER_SERVER, List.of("other:read")).build();
        AdminApi admin = keycloak.admin();
        admin.createRealm(representation);
        admin.createUser(realm, ALICE.username(), ALICE.password());
        admin.createUser(realm, BOB.username(), BOB.password());
        AdminApi.expect(admin.post("/admin/realms/" + realm + "/roles", Map.of("name", "mcp-admin")), 201);
        String roleId = AdminApi.expect(admin.get("/admin/realms/" + realm + "/roles/mcp-admin"), 200).json()
                .path("id").asText();
        String carolId = admin.createUser(realm, CAROL.username(), CAROL.password());
        AdminApi.expect(admin.post("/admin/realms/" + realm + "/users/" + carolId + "/role-mappings/realm",
                List.of(Map.of("id", roleId, "name", "mcp-admin"))), 204);
        admin.createUser(realm, DAVE.username(), DAVE.password());
    }

    @AfterAll
    static void stop() {
        try {
            if (demo != null) {
                demo.close();
            }
        } finally {
            if (realm != null && keycloak != null) {
                keycloak.admin().deleteRealm(realm);
            }
        }
    }

    /**
     * The client registers with every scope of the server's metadata ({@code mcp:tools mcp:write}), asks for
     * {@code mcp:tools} first (the 401's scope) and steps up to {@code mcp:write}.
     */
    @Test
    void stepUpAsksOnlyForTheNewScopeAndTheTokenKeepsItsAudience() {
        runStepUpFlow(new SdkOAuthClient(ALICE, RegistrationScope.ALL_SUPPORTED),
                Set.of("mcp:tools", "mcp:write"));
    }

    /**
     * The same flow for a client registered the way the TypeScript SDK registers: {@code scope} = the first
     * challenge's scope, {@code mcp:tools} only.
     */
    @Test
    void stepUpWorksForAClientRegisteredWithTheFirstChallengeScopeOnly() {
        runStepUpFlow(new SdkOAuthClient(BOB, RegistrationScope.FIRST_CHALLENGE), Set.of("mcp:tools"));
    }

    private static void runStepUpFlow(SdkOAuthClient oauth, Set<String> registeredScopes) {
        String metadataUrl = "http://localhost:" + demo.port() + "/.well-known/oauth-protected-resource/mcp";
        try (McpSyncClient mcp = oauth.mcpClient(demo.resource())) {

            // 1. No token: 401 pointing at the metadata, asking for mcp:tools; the handler registers, logs in,
            //    consents and gets a token, and the SDK sends initialize again.
            call(oauth, mcp::initialize);
            assertEquals(List.of(), oauth.failures(), oauth::describe);
            assertEquals(new Challenge(401, "Bearer resource_metadata=\"" + metadataUrl + "\", scope=\"mcp:tools\""),
                    oauth.challenges().get(0));
            assertEquals(demo.resource(), oauth.resourceMetadata().path("resource").asText());
            assertEquals(keycloak.issuer(realm), oauth.resourceMetadata().path("authorization_servers").path(0).asText());
            assertEquals(201, oauth.registration().status(), oauth.registration()::describe);
            assertEquals(registeredScopes, Set.of(oauth.registration().json().path("scope").asText().split(" ")),
                    oauth.registration()::describe);

            ConsentBrowser.Outcome first = oauth.authorizations().get(0);
            assertTrue(first.loginShown(), first::describe);
            assertEquals(Set.of(serverItem(), "mcp:tools (" + SERVER_NAME + ")", CLIENT_ITEM),
                    Set.copyOf(first.consentItems()), first::describe);
            TokenResponse firstToken = oauth.tokens().get(0);
            assertToken(firstToken, oauth, "mcp:tools");

            // 2. A read tool works with that token.
            assertEquals("user " + Jwt.claim(firstToken.accessToken(), "sub") + ", client "
                    + oauth.client().clientId() + ", scopes [mcp:tools], audience [" + demo.resource() + "]",
                    text(call(oauth, () -> mcp.callTool(new CallToolRequest("whoami", Map.of())))));
            assertEquals(1, oauth.challenges().size(), oauth::describe);

            // 3. The write tool: 403 insufficient_scope naming the scopes held plus the new one.
            CallToolResult added = call(oauth, () -> mcp.callTool(new CallToolRequest("add_note",
                    Map.of("text", "step-up works"))));
            assertEquals(List.of(), oauth.failures(), oauth::describe);
            assertEquals(2, oauth.challenges().size(), oauth::describe);
            assertEquals(new Challenge(403, "Bearer error=\"insufficient_scope\", scope=\"mcp:tools mcp:write\", "
                            + "resource_metadata=\"" + metadataUrl + "\", error_description=\"tool add_note needs "
                            + "scope mcp:write\""),
                    oauth.challenges().get(1));

            // 4. Authorization again with the union: same browser (SSO session), no login, and a consent page that
            //    lists only mcp:write; the token has both scopes and the same aud.
            ConsentBrowser.Outcome stepUp = oauth.authorizations().get(1);
            assertEquals(List.of("mcp:tools mcp:write"), stepUp.response().request().values("scope"));
            assertEquals(List.of(demo.resource()), stepUp.response().request().values("resource"));
            assertFalse(stepUp.loginShown(), stepUp::describe);
            assertEquals(List.of("mcp:write (" + SERVER_NAME + ")"), stepUp.consentItems(), stepUp::describe);
            assertToken(oauth.tokens().get(1), oauth, "mcp:tools mcp:write");

            // 5. The SDK sent add_note again with the new token, and it ran.
            assertEquals("added note 1", text(added));

            // 6. Refresh (with resource, as the SDKs send it): both scopes, same aud, and the tools still work.
            TokenResponse refreshed = oauth.refresh();
            assertToken(refreshed, oauth, "mcp:tools mcp:write");
            assertNotEquals(oauth.tokens().get(1).refreshToken(), refreshed.refreshToken(), "refresh token rotated");
            assertEquals("1 note(s): step-up works",
                    text(call(oauth, () -> mcp.callTool(new CallToolRequest("read_notes", Map.of())))));
            assertEquals(2, oauth.challenges().size(), oauth::describe);
            assertEquals(2, oauth.authorizations().size(), oauth::describe);
        }
    }

    /**
     * The admin tool needs the role mcp-admin in the token's {@code roles} claim (the server's {@code token-roles} is
     * {@code realm}): through the SDK client, a user with the role gets its result, a user without gets a tool error
     * saying so, and no step-up starts (a role cannot be asked for).
     */
    @Test
    void theAdminToolRunsOnlyForAUserWithTheRoleInTheTokensRolesClaim() {
        SdkOAuthClient admin = new SdkOAuthClient(CAROL, RegistrationScope.ALL_SUPPORTED);
        try (McpSyncClient mcp = admin.mcpClient(demo.resource())) {
            call(admin, mcp::initialize);
            assertEquals(List.of(), admin.failures(), admin::describe);
            TokenResponse token = admin.tokens().get(0);
            assertTrue(strings(token.accessTokenClaims().path("roles")).contains("mcp-admin"), token::describe);
            String result = text(call(admin, () -> mcp.callTool(new CallToolRequest("all_notes", Map.of()))));
            assertTrue(result.matches("\\d+ note\\(s\\) of \\d+ user\\(s\\)"), result);
            assertEquals(1, admin.challenges().size(), admin::describe);
        }

        SdkOAuthClient user = new SdkOAuthClient(DAVE, RegistrationScope.ALL_SUPPORTED);
        try (McpSyncClient mcp = user.mcpClient(demo.resource())) {
            call(user, mcp::initialize);
            assertEquals(List.of(), user.failures(), user::describe);
            TokenResponse token = user.tokens().get(0);
            List<String> roles = strings(token.accessTokenClaims().path("roles"));
            assertFalse(roles.contains("mcp-admin"), token::describe);
            CallToolResult refused = call(user, () -> mcp.callTool(new CallToolRequest("all_notes", Map.of())));
            assertEquals(Boolean.TRUE, refused.isError(), refused::toString);
            assertEquals("forbidden: tool all_notes needs the role mcp-admin; the token's roles claim has "
                    + new java.util.TreeSet<>(roles) + ". Ask an administrator for the role.",
                    ((TextContent) refused.content().get(0)).text());
            assertEquals(1, user.challenges().size(), user::describe);
            assertEquals(1, user.authorizations().size(), user::describe);
        }
    }

    private static List<String> strings(com.fasterxml.jackson.databind.JsonNode array) {
        assertTrue(array.isArray(), () -> "not an array: " + array);
        List<String> out = new java.util.ArrayList<>();
        array.forEach(node -> out.add(node.asText()));
        return out;
    }

    /** Runs an SDK call; when it fails, the failure says what the OAuth side saw. */
    private static <T> T call(SdkOAuthClient oauth, Supplier<T> sdkCall) {
        try {
            return sdkCall.get();
        } catch (RuntimeException e) {
            throw new AssertionError("MCP call failed: " + e + "\n" + oauth.describe(), e);
        }
    }

    /** Keycloak's token for another registered server is refused by the demo server: 401 invalid_token. */
    @Test
    void aKeycloakTokenForAnotherServerIsRefused() throws Exception {
        io.github.mcpauthz.it.support.McpClient client = io.github.mcpauthz.it.support.McpClient
                .registerDynamically(keycloak.issuer(realm), null, "demo-other-audience-it", "other:read");
        TokenResponse other = client.login(ALICE, OTHER_SERVER, "other:read");
        assertEquals(200, other.status(), other::describe);
        assertEquals(List.of(OTHER_SERVER), other.audience());

        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest
                .newBuilder(URI.create(demo.resource()))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + other.accessToken())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                        + "\"params\":{\"name\":\"whoami\",\"arguments\":{}}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, response.statusCode(), response::body);
        assertEquals("Bearer error=\"invalid_token\", error_description=\"JWT aud claim rejected\", "
                        + "resource_metadata=\"" + demo.resourceMetadataUrl() + "\"",
                response.headers().firstValue("WWW-Authenticate").orElse(null));
    }

    private static void assertToken(TokenResponse tokens, SdkOAuthClient oauth, String scope) {
        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(demo.resource()), tokens.audience(), () -> tokens.accessTokenClaims().toString());
        assertEquals(oauth.client().clientId(), tokens.accessTokenClaims().path("azp").asText());
        assertEquals(new LinkedHashSet<>(Arrays.asList(scope.split(" "))),
                new LinkedHashSet<>(Arrays.asList(tokens.accessTokenClaims().path("scope").asText().trim().split("\\s+"))),
                () -> tokens.accessTokenClaims().toString());
    }

    private static String serverItem() {
        return SERVER_NAME + " (" + demo.resource() + ")";
    }

    private static String text(CallToolResult result) {
        assertNotEquals(Boolean.TRUE, result.isError(), result::toString);
        return ((TextContent) result.content().get(0)).text();
    }
}
