package io.github.mcpauthz.demo;

import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.PlainJWT;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
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
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo server on its own, against {@link LocalRealm} (metadata and JWKS on loopback, tokens signed by Nimbus):
 * metadata, 401 for missing and bad tokens, 403 {@code insufficient_scope} for a missing scope, tool results for a
 * good token, through plain HTTP and through the MCP Java SDK's client.
 */
class DemoMcpServerTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";

    private static LocalRealm realm;
    private static DemoMcpServer server;
    private static String metadataUrl;

    @BeforeAll
    static void start() throws Exception {
        realm = new LocalRealm();
        server = DemoMcpServer.start(new DemoConfig("127.0.0.1", 0, realm.issuer(), null));
        metadataUrl = "http://localhost:" + server.port() + "/.well-known/oauth-protected-resource/mcp";
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (realm != null) {
            realm.close();
        }
    }

    @Test
    void theResourceIsLocalhostOnTheBoundPortAndTheMetadataPointsAtTheRealm() throws Exception {
        assertEquals("http://localhost:" + server.port() + "/mcp", server.resource());
        assertEquals(metadataUrl, server.resourceMetadataUrl());
        for (String path : List.of("/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource")) {
            HttpResponse<String> response = get(path, null);
            assertEquals(200, response.statusCode(), response::body);
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
            assertEquals("*", response.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
            Map<String, Object> metadata = JSONObjectUtils.parse(response.body());
            assertEquals(server.resource(), metadata.get("resource"));
            assertEquals(List.of(realm.issuer()), metadata.get("authorization_servers"));
            assertEquals(List.of("mcp:tools", "mcp:write"), metadata.get("scopes_supported"));
            assertEquals(List.of("header"), metadata.get("bearer_methods_supported"));
        }
    }

    @Test
    void noTokenIs401WithTheMetadataUrlAndTheFirstScope() throws Exception {
        HttpResponse<String> response = post(INITIALIZE, null);
        assertEquals(401, response.statusCode(), response::body);
        assertEquals("Bearer resource_metadata=\"" + metadataUrl + "\", scope=\"mcp:tools\"",
                response.headers().firstValue("WWW-Authenticate").orElse(null));
        assertEquals(401, get("/mcp", null).statusCode());
    }

    @Test
    void anotherAuthorizationSchemeIs401InvalidToken() throws Exception {
        HttpResponse<String> response = send(request("/mcp").header("Authorization", "Basic YWxpY2U6YWxpY2U=")
                .POST(HttpRequest.BodyPublishers.ofString(INITIALIZE)).build());
        assertInvalidToken(response, "the Authorization header is not Bearer");
    }

    @Test
    void aTokenForAnotherAudienceIs401() throws Exception {
        String token = realm.sign(realm.claims("https://weather.example.com/mcp", "mcp:tools").build());
        assertInvalidToken(post(INITIALIZE, token), "JWT aud claim rejected");
    }

    @Test
    void aTokenForThisResourceAndAnotherOneIs401() throws Exception {
        String token = realm.sign(realm.claims(server.resource(), "mcp:tools")
                .audience(List.of(server.resource(), "https://weather.example.com/mcp")).build());
        assertInvalidToken(post(INITIALIZE, token), "not for this resource alone");
    }

    @Test
    void aTokenForALookAlikeResourceIs401() throws Exception {
        String token = realm.sign(realm.claims(server.resource() + "/", "mcp:tools").build());
        assertInvalidToken(post(INITIALIZE, token), "JWT aud claim rejected");
    }

    @Test
    void anExpiredTokenIs401() throws Exception {
        long now = System.currentTimeMillis();
        String token = realm.sign(realm.claims(server.resource(), "mcp:tools")
                .issueTime(new Date(now - 900_000)).expirationTime(new Date(now - 600_000)).build());
        assertInvalidToken(post(INITIALIZE, token), "Expired JWT");
    }

    @Test
    void aTokenWithoutExpiryIs401() throws Exception {
        String token = realm.sign(realm.claims(server.resource(), "mcp:tools").expirationTime(null).build());
        assertInvalidToken(post(INITIALIZE, token), "missing required claims: [exp]");
    }

    @Test
    void aTokenSignedWithAnotherKeyIs401() throws Exception {
        String token = realm.signWithOtherKey(realm.claims(server.resource(), "mcp:tools mcp:write").build());
        assertInvalidToken(post(INITIALIZE, token), "Signed JWT rejected: Invalid signature");
    }

    @Test
    void anUnsignedTokenIs401() throws Exception {
        String token = new PlainJWT(new PlainHeader(), realm.claims(server.resource(), "mcp:tools").build()).serialize();
        assertInvalidToken(post(INITIALIZE, token), "Unsecured (plain) JWTs are rejected");
    }

    @Test
    void aTokenOfAnotherIssuerIs401() throws Exception {
        String token = realm.sign(realm.claims(server.resource(), "mcp:tools")
                .issuer(realm.issuer() + "-other").build());
        assertInvalidToken(post(INITIALIZE, token), "JWT iss claim value rejected");
    }

    @Test
    void garbageIs401() throws Exception {
        assertInvalidToken(post(INITIALIZE, "not.a.jwt"), "not a JWT");
    }

    @Test
    void aToolWithoutItsScopeIs403InsufficientScopeWithTheUnion() throws Exception {
        String token = realm.sign(realm.claims(server.resource(), "openid profile mcp:tools").build());
        HttpResponse<String> response = post(call("add_note", "{\"text\":\"hi\"}"), token);
        assertEquals(403, response.statusCode(), response::body);
        assertEquals("Bearer error=\"insufficient_scope\", scope=\"mcp:tools mcp:write\", resource_metadata=\""
                        + metadataUrl + "\", error_description=\"tool add_note needs scope mcp:write\"",
                response.headers().firstValue("WWW-Authenticate").orElse(null));
        assertEquals("insufficient_scope", JSONObjectUtils.parse(response.body()).get("error"));

        // a token with no scope of this server is told to ask for the needed one only
        String none = realm.sign(realm.claims(server.resource(), "openid").build());
        HttpResponse<String> read = post(call("whoami", "{}"), none);
        assertEquals(403, read.statusCode(), read::body);
        assertTrue(read.headers().firstValue("WWW-Authenticate").orElse("")
                .startsWith("Bearer error=\"insufficient_scope\", scope=\"mcp:tools\", "), read.headers()::toString);
    }

    @Test
    void aBatchCannotSlipAToolPastItsScope() throws Exception {
        String token = realm.sign(realm.claims(server.resource(), "mcp:tools").build());
        HttpResponse<String> response = post("[" + call("whoami", "{}") + "," + call("add_note", "{\"text\":\"x\"}")
                + "]", token);
        assertEquals(403, response.statusCode(), response::body);
    }

    @Test
    void aValidTokenWithTheScopeGetsTheToolResult() throws Exception {
        String token = realm.sign(realm.claims(server.resource(), "mcp:tools").build());
        HttpResponse<String> response = post(call("whoami", "{}"), token);
        assertEquals(200, response.statusCode(), response::body);
        assertTrue(response.body().contains("user user-1 (alice), client client-1, scopes [mcp:tools]"),
                response::body);
        assertFalse(response.body().contains("\"isError\":true"), response::body);
    }

    @Test
    void theSdkClientCallsTheToolsItsTokenAllows() throws Exception {
        String token = realm.sign(realm.claims(server.resource(), "mcp:tools mcp:write").build());
        try (McpSyncClient client = sdkClient(token)) {
            client.initialize();
            assertEquals(Set.of("whoami", "read_notes", "add_note", "all_notes"), client.listTools().tools().stream()
                    .map(tool -> tool.name()).collect(Collectors.toSet()));
            CallToolResult added = client.callTool(new CallToolRequest("add_note", Map.of("text", "buy milk")));
            assertNotEquals(Boolean.TRUE, added.isError(), added::toString);
            CallToolResult notes = client.callTool(new CallToolRequest("read_notes", Map.of()));
            assertEquals("1 note(s): buy milk", ((TextContent) notes.content().get(0)).text());
        }
    }

    @Test
    void theAdminToolNeedsTheRoleInTheRolesClaimAndSaysSoAsAToolError() throws Exception {
        String noRoles = realm.sign(realm.claims(server.resource(), "mcp:tools").build());
        String otherRoles = realm.sign(realm.claims(server.resource(), "mcp:tools")
                .claim("roles", List.of("reader", "default-roles-mcp")).build());
        String roleAsString = realm.sign(realm.claims(server.resource(), "mcp:tools").claim("roles", "mcp-admin").build());
        String admin = realm.sign(realm.claims(server.resource(), "mcp:tools")
                .claim("roles", List.of("default-roles-mcp", "mcp-admin")).build());
        String adminWithoutScope = realm.sign(realm.claims(server.resource(), "openid")
                .claim("roles", List.of("mcp-admin")).build());
        try (McpSyncClient client = sdkClient(noRoles)) {
            client.initialize();
            CallToolResult refused = client.callTool(new CallToolRequest("all_notes", Map.of()));
            assertEquals(Boolean.TRUE, refused.isError(), refused::toString);
            assertEquals("forbidden: tool all_notes needs the role mcp-admin; the token's roles claim has []. Ask an "
                    + "administrator for the role.", ((TextContent) refused.content().get(0)).text());
        }
        for (String token : List.of(otherRoles, roleAsString)) {
            HttpResponse<String> response = post(call("all_notes", "{}"), token);
            assertEquals(200, response.statusCode(), response::body);
            assertTrue(response.body().contains("\"isError\":true"), response::body);
            assertTrue(response.body().contains("forbidden: tool all_notes needs the role mcp-admin"), response::body);
            assertFalse(response.headers().firstValue("WWW-Authenticate").isPresent(), "no step-up for a role");
        }
        HttpResponse<String> allowed = post(call("all_notes", "{}"), admin);
        assertEquals(200, allowed.statusCode(), allowed::body);
        assertFalse(allowed.body().contains("\"isError\":true"), allowed::body);
        assertTrue(allowed.body().matches("(?s).*\\d+ note\\(s\\) of \\d+ user\\(s\\).*"), allowed::body);
        // The role does not replace the scope: still the step-up challenge for mcp:tools.
        HttpResponse<String> noScope = post(call("all_notes", "{}"), adminWithoutScope);
        assertEquals(403, noScope.statusCode(), noScope::body);
        assertTrue(noScope.headers().firstValue("WWW-Authenticate").orElse("")
                .startsWith("Bearer error=\"insufficient_scope\", scope=\"mcp:tools\", "), noScope.headers()::toString);
    }

    @Test
    void preflightNeedsNoToken() throws Exception {
        HttpResponse<String> response = send(request("/mcp").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://localhost:6274").header("Access-Control-Request-Method", "POST").build());
        assertEquals(204, response.statusCode());
        assertEquals("*", response.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        assertTrue(response.headers().firstValue("Access-Control-Allow-Headers").orElse("").contains("Authorization"));
    }

    @Test
    void configFromArgumentsOverEnvironment() {
        DemoConfig config = DemoConfig.from(new String[] {"--port", "3005", "--issuer=http://127.0.0.1:8081/realms/x"},
                Map.of(DemoConfig.ENV_PORT, "3002", DemoConfig.ENV_RESOURCE, "http://localhost:3005/mcp"));
        assertEquals(new DemoConfig("localhost", 3005, "http://127.0.0.1:8081/realms/x", "http://localhost:3005/mcp"),
                config);
        assertEquals(DemoConfig.defaults(), DemoConfig.from(new String[0], Map.of()));
        assertEquals("http://localhost:3001/mcp", DemoConfig.defaults().resourceFor(3001));
    }

    private static void assertInvalidToken(HttpResponse<String> response, String descriptionPart) {
        assertEquals(401, response.statusCode(), response::body);
        String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
        assertTrue(challenge.startsWith("Bearer error=\"invalid_token\", error_description=\""), challenge);
        assertTrue(challenge.contains(descriptionPart), challenge);
        assertTrue(challenge.endsWith(", resource_metadata=\"" + metadataUrl + "\""), challenge);
    }

    private static McpSyncClient sdkClient(String token) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
                .builder("http://localhost:" + server.port())
                .endpoint("/mcp")
                .httpRequestCustomizer((builder, method, uri, body, context) ->
                        builder.header("Authorization", "Bearer " + token))
                .build();
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20)).build();
    }

    static String call(String tool, String arguments) {
        return "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + arguments + "}}";
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + path))
                .timeout(Duration.ofSeconds(20));
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder builder = request(path).GET();
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return send(builder.build());
    }

    private static HttpResponse<String> post(String body, String token) throws Exception {
        HttpRequest.Builder builder = request("/mcp")
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return send(builder.build());
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
