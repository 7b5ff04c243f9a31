package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.ClientAuthentication;
import io.github.mcpauthz.it.support.Http;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.Json;
import io.github.mcpauthz.it.support.Jwt;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.SampleRealm;
import io.github.mcpauthz.it.support.TokenResponse;
import io.github.mcpauthz.it.support.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.github.mcpauthz.it.support.SampleRealm.AGENT;
import static io.github.mcpauthz.it.support.SampleRealm.AGENT_SECRET;
import static io.github.mcpauthz.it.support.SampleRealm.DEMO_SERVER;
import static io.github.mcpauthz.it.support.SampleRealm.DEMO_SERVER_CLIENT;
import static io.github.mcpauthz.it.support.SampleRealm.DEMO_SERVER_SECRET;
import static io.github.mcpauthz.it.support.SampleRealm.DOWNSTREAM_API;
import static io.github.mcpauthz.it.support.SampleRealm.ENTERPRISE_ALICE_ID;
import static io.github.mcpauthz.it.support.SampleRealm.ENTERPRISE_IDP_ALIAS;
import static io.github.mcpauthz.it.support.SampleRealm.ENTERPRISE_REALM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two demo flows of docs/token-exchange.md, run as the page runs them, with nothing but the sample realm files
 * and the demo signer: the sample realm {@code mcp} as imported from {@code realm-exports/mcp-realm.json} (its
 * clients {@code demo-mcp-server}, {@code demo-downstream-api} and {@code demo-agent}, the demo server's registry link,
 * the identity provider {@code enterprise-idp}, alice's link to it), the realm {@code enterprise} imported from
 * {@code realm-exports/enterprise-realm.json} through {@code POST /admin/realms} (the harness imports one realm file
 * at start), and {@code demo-idp/IdJagSigner.java} run as a separate process with {@code java File.java}.
 *
 * <p>The one setting the realm files cannot carry is done as the page does it: the demo server's scopes are attached
 * to {@code demo-agent} through the admin REST API (Keycloak imports clients before the extension creates the
 * servers' client scopes, so a realm file cannot name them in a client); it is undone afterwards.
 */
@KeycloakIT
class SampleRealmDemoFlowsIT {

    static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    static final String JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    static final String ENTERPRISE_KID = "enterprise-demo-key";
    static final Path REPO = Path.of(System.getProperty("repo.dir", "..")).toAbsolutePath().normalize();
    static final Path SIGNER = REPO.resolve("demo-idp/IdJagSigner.java");
    static final List<String> SERVER_SCOPES = List.of("mcp:tools", "mcp:resources");
    static final Path ENTERPRISE_FILE = REPO.resolve("realm-exports/enterprise-realm.json");

    private static KeycloakEnvironment keycloak;
    private static AdminApi admin;
    private static String mcpClientUuid;
    private static McpClient mcpClient;
    private static String agentUuid;
    private static final List<String> attachedScopeIds = new ArrayList<>();
    private static String aliceId;

    @BeforeAll
    static void importEnterpriseRealm(KeycloakEnvironment environment) throws IOException {
        keycloak = environment;
        admin = keycloak.admin();
        AdminApi.expect(admin.post("/admin/realms", Json.parse(Files.readString(ENTERPRISE_FILE))), 201);
        aliceId = admin.userId(SampleRealm.NAME, User.ALICE.username());

        // The MCP client of the token-exchange flow: a public client of the sample realm, as docs/tokens.md makes it.
        String clientId = "demo-flows-" + UUID.randomUUID().toString().substring(0, 8);
        String redirectUri = McpClient.loopbackRedirectUri();
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", clientId);
        client.put("publicClient", true);
        client.put("redirectUris", List.of(redirectUri));
        mcpClientUuid = admin.createClient(SampleRealm.NAME, client);
        mcpClient = McpClient.preRegistered(keycloak.issuer(), clientId, null, redirectUri);

        // docs/token-exchange.md, "Enterprise-managed authorization, locally": the demo server's scopes for demo-agent.
        agentUuid = admin.clientByClientId(SampleRealm.NAME, AGENT).path("id").asText();
        for (JsonNode scope : AdminApi.expect(admin.get("/admin/realms/" + SampleRealm.NAME + "/client-scopes"), 200).json()) {
            if (SERVER_SCOPES.contains(scope.path("name").asText())) {
                attachedScopeIds.add(scope.path("id").asText());
            }
        }
        assertEquals(SERVER_SCOPES.size(), attachedScopeIds.size(), "client scopes " + SERVER_SCOPES + " of the sample realm");
        for (String scopeId : attachedScopeIds) {
            AdminApi.expect(admin.put(agentScopePath(scopeId), Map.of()), 204);
        }
    }

    private static String agentScopePath(String scopeId) {
        return "/admin/realms/" + SampleRealm.NAME + "/clients/" + agentUuid + "/optional-client-scopes/" + scopeId;
    }

    @AfterAll
    static void cleanUp() {
        if (admin == null) {
            return;
        }
        admin.delete("/admin/realms/" + ENTERPRISE_REALM);
        if (mcpClientUuid != null) {
            admin.delete("/admin/realms/" + SampleRealm.NAME + "/clients/" + mcpClientUuid);
        }
        for (String scopeId : attachedScopeIds) {
            admin.delete(agentScopePath(scopeId));
        }
    }

    @Test
    void theDemoServerExchangesAUsersTokenForTheDownstreamApi() {
        TokenResponse user = mcpClient.login(User.ALICE, DEMO_SERVER, "mcp:tools");
        assertEquals(200, user.status(), user::describe);
        assertEquals(List.of(DEMO_SERVER), user.audience(), user::describe);

        TokenResponse downstream = exchange(user.accessToken(), DOWNSTREAM_API);

        assertEquals(200, downstream.status(), downstream::describe);
        JsonNode claims = downstream.accessTokenClaims();
        assertEquals(List.of(DOWNSTREAM_API), downstream.audience(), claims::toString);
        assertEquals(aliceId, claims.path("sub").asText(), claims::toString);
        assertEquals(DEMO_SERVER_CLIENT, claims.path("azp").asText(), claims::toString);
        assertEquals(Json.parse("{\"sub\":\"" + DEMO_SERVER + "\",\"client_id\":\"" + DEMO_SERVER_CLIENT + "\"}"),
                claims.path("act"), claims::toString);
        assertNull(downstream.refreshToken(), downstream::describe);

        // The registry allows the demo server exactly one audience: the weather server is refused.
        TokenResponse refused = exchange(user.accessToken(), SampleRealm.WEATHER_SERVER);
        assertRefused(refused, "invalid_target", "MCP server " + DEMO_SERVER
                + " may not exchange tokens for MCP server " + SampleRealm.WEATHER_SERVER);
    }

    @Test
    void anIdJagFromTheSignerIsRedeemedOnceWithTheSampleRealmsProvider() {
        String idToken = enterpriseIdToken();
        JsonNode header = Json.parse(new String(java.util.Base64.getUrlDecoder().decode(idToken.split("\\.")[0]),
                StandardCharsets.UTF_8));
        // The enterprise realm signs with the demo key from its realm file, and alice has the file's fixed id.
        assertEquals(ENTERPRISE_KID, header.path("kid").asText(), header::toString);
        assertEquals(ENTERPRISE_ALICE_ID, Jwt.claim(idToken, "sub"));

        String idJag = signer("--id-token", idToken, "--client-id", AGENT, "--audience", keycloak.issuer(),
                "--scope", "mcp:tools");
        TokenResponse tokens = jwtBearer(idJag, "mcp:tools");

        assertEquals(200, tokens.status(), tokens::describe);
        JsonNode claims = tokens.accessTokenClaims();
        assertEquals(List.of(DEMO_SERVER), tokens.audience(), claims::toString);
        assertEquals(aliceId, claims.path("sub").asText(), claims::toString);
        assertEquals(AGENT, claims.path("azp").asText(), claims::toString);
        assertEquals("mcp:tools", claims.path("scope").asText(), claims::toString);
        assertNull(tokens.refreshToken(), tokens::describe);

        assertRefused(jwtBearer(idJag, "mcp:tools"), "invalid_grant", "Token reuse detected");
    }

    @Test
    void aTokenFromAnIdJagIsExchangedForTheDownstreamApi() {
        String idJag = signer("--sub", ENTERPRISE_ALICE_ID, "--client-id", AGENT, "--audience", keycloak.issuer());
        TokenResponse tokens = jwtBearer(idJag, "mcp:tools");
        assertEquals(200, tokens.status(), tokens::describe);

        TokenResponse downstream = exchange(tokens.accessToken(), DOWNSTREAM_API);

        assertEquals(200, downstream.status(), downstream::describe);
        JsonNode claims = downstream.accessTokenClaims();
        assertEquals(List.of(DOWNSTREAM_API), downstream.audience(), claims::toString);
        assertEquals(aliceId, claims.path("sub").asText(), claims::toString);
        assertEquals(DEMO_SERVER, claims.path("act").path("sub").asText(), claims::toString);
    }

    @Test
    void theEnterpriseRealmPublishesTheKeyTheSampleRealmTrustsAndTheSignerUses() {
        HttpResult certs = Http.get(keycloak.issuer(ENTERPRISE_REALM) + "/protocol/openid-connect/certs", null);
        assertEquals(200, certs.status(), certs::describe);
        JsonNode published = null;
        for (JsonNode key : certs.json().path("keys")) {
            if (ENTERPRISE_KID.equals(key.path("kid").asText())) {
                published = key;
            }
        }
        assertTrue(published != null, certs::describe);

        JsonNode provider = AdminApi.expect(admin.get("/admin/realms/" + SampleRealm.NAME
                + "/identity-provider/instances/" + ENTERPRISE_IDP_ALIAS), 200).json();
        assertEquals("jwt-authorization-grant", provider.path("providerId").asText(), provider::toString);
        assertEquals(SampleRealm.ENTERPRISE_ISSUER, provider.path("config").path("issuer").asText(), provider::toString);
        JsonNode trusted = Json.parse(provider.path("config").path("publicKeySignatureVerifier").asText()).path("keys").path(0);
        JsonNode signer = Json.parse(signer("--jwks")).path("keys").path(0);

        for (JsonNode key : List.of(trusted, signer)) {
            assertEquals(ENTERPRISE_KID, key.path("kid").asText(), key::toString);
            assertEquals(published.path("n").asText(), key.path("n").asText(), key::toString);
            assertEquals(published.path("e").asText(), key.path("e").asText(), key::toString);
        }

        HttpResult metadata = Http.get(keycloak.baseUrl() + "/.well-known/oauth-authorization-server/realms/" + SampleRealm.NAME, null);
        assertEquals(200, metadata.status(), metadata::describe);
        assertEquals("[\"urn:ietf:params:oauth:grant-profile:id-jag\"]",
                metadata.json().path("authorization_grant_profiles_supported").toString(), metadata::describe);
    }

    /** alice's ID token from the enterprise realm, by the password grant the page uses as its login shortcut. */
    private static String enterpriseIdToken() {
        HttpResult result = Http.postForm(keycloak.issuer(ENTERPRISE_REALM) + "/protocol/openid-connect/token", Map.of(
                "grant_type", List.of("password"), "client_id", List.of(AGENT), "scope", List.of("openid"),
                "username", List.of(User.ALICE.username()), "password", List.of(User.ALICE.password())));
        assertEquals(200, result.status(), result::describe);
        return result.json().path("id_token").asText();
    }

    private static TokenResponse exchange(String subjectToken, String audience) {
        return McpClient.of(keycloak.issuer(), DEMO_SERVER_CLIENT, null, ClientAuthentication.secretBasic(DEMO_SERVER_SECRET))
                .tokenRequest().set("grant_type", TOKEN_EXCHANGE).set("subject_token", subjectToken)
                .set("subject_token_type", ACCESS_TOKEN_TYPE).set("audience", audience).send();
    }

    private static TokenResponse jwtBearer(String assertion, String scope) {
        return McpClient.of(keycloak.issuer(), AGENT, null, ClientAuthentication.secretBasic(AGENT_SECRET))
                .tokenRequest().set("grant_type", JWT_BEARER).set("assertion", assertion).set("scope", scope).send();
    }

    /** Runs demo-idp/IdJagSigner.java with this JVM's java, from the repository root; its standard output. */
    private static String signer(String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), SIGNER.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--realm-file", ENTERPRISE_FILE.toString()));
        Process process = null;
        try {
            process = new ProcessBuilder(command).directory(REPO.toFile()).redirectErrorStream(false).start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            byte[] err = process.getErrorStream().readAllBytes();
            // A bound, not a timing assertion: compiling and running the single file takes seconds.
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                throw new AssertionError("the signer did not exit: " + command);
            }
            String stdout = new String(out, StandardCharsets.UTF_8).trim();
            assertEquals(0, process.exitValue(), () -> "signer " + command + " failed: "
                    + new String(err, StandardCharsets.UTF_8) + stdout);
            return stdout;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    private static void assertRefused(TokenResponse response, String error, String descriptionStart) {
        assertEquals(400, response.status(), response::describe);
        assertEquals(error, response.error(), response::describe);
        assertTrue(response.errorDescription() != null && response.errorDescription().startsWith(descriptionStart),
                response::describe);
        assertNull(response.accessToken(), response::describe);
        assertFalse(response.json().has("refresh_token"), response::describe);
    }
}
