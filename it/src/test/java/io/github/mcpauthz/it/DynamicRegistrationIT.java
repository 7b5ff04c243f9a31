package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.ClientAuthentication;
import io.github.mcpauthz.it.support.ClientKey;
import io.github.mcpauthz.it.support.ClientRegistration;
import io.github.mcpauthz.it.support.ClientRegistration.Registered;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.KeycloakVersions;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.McpTestRealm;
import io.github.mcpauthz.it.support.SampleRealm;
import io.github.mcpauthz.it.support.TokenResponse;
import io.github.mcpauthz.it.support.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * What MCP clients actually send to the registration endpoint is accepted, anonymously and with an initial access
 * token, and every accepted shape then completes the authorization code flow with PKCE (login, consent, code exchange
 * with the registered client authentication) and gets a token for the MCP server it asked for.
 *
 * <p>The sample realm is used for the TypeScript SDK's exact body only: its anonymous rate limit (30 per address and
 * window) is shared by every test of the JVM. The other shapes register in a realm of this class without that limit.
 */
@KeycloakIT
class DynamicRegistrationIT {

    private static KeycloakEnvironment keycloak;
    private static McpTestRealm realm;

    @BeforeAll
    static void createRealm(KeycloakEnvironment environment) {
        keycloak = environment;
        realm = McpTestRealm.create(keycloak, "dcr-shapes").withoutAnonymousRateLimit();
    }

    @AfterAll
    static void deleteRealm() {
        McpTestRealm.close(realm);
    }

    /** The body of the TypeScript SDK's registerClient(), anonymous, in the sample realm. */
    @Test
    void typeScriptSdkBodyIsAcceptedInTheSampleRealmAndCompletesTheFlow() {
        int port = randomPort();
        String redirectUri = "http://127.0.0.1:" + port + "/callback";

        HttpResult result = ClientRegistration.register(keycloak.issuer(), null,
                ClientRegistration.sdkMetadata("MCP Inspector", redirectUri, "mcp:tools"));

        assertEquals(201, result.status(), result::describe);
        Registered registered = new Registered(keycloak.issuer(), result.json());
        assertEquals(List.of("http://127.0.0.1/callback"), registered.redirectUris(),
                "loopback redirect URIs are stored without their port: " + registered);
        assertEquals("none", registered.tokenEndpointAuthMethod(), registered::toString);
        assertNull(registered.clientSecret(), "a public client gets no secret: " + registered);
        assertNotNull(registered.registrationAccessToken(), registered::toString);

        McpClient client = registered.publicClient(redirectUri);
        TokenResponse tokens = client.login(User.ALICE, SampleRealm.DEMO_SERVER, "mcp:tools");
        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(SampleRealm.DEMO_SERVER), tokens.audience(), () -> tokens.accessTokenClaims().toString());
        assertEquals(registered.clientId(), tokens.accessTokenClaims().path("azp").asText());
    }

    @Test
    void initialAccessTokenRegistrationCompletesTheFlow() {
        String token = realm.admin().createInitialAccessToken(realm.name());
        String redirectUri = loopback("127.0.0.1");

        Registered registered = ClientRegistration.registerOrFail(realm.issuer(), token,
                ClientRegistration.sdkMetadata("SDK client with initial access token", redirectUri, McpTestRealm.SERVER_SCOPE));

        assertEquals(List.of("http://127.0.0.1/callback"), registered.redirectUris(), registered::toString);
        assertCompletesFlow(registered.publicClient(redirectUri), null);
    }

    /** application_type native, openid + offline_access in scope, software_id/version and resource, as richer SDKs send. */
    @Test
    void nativeClientWithSoftwareStatementFieldsAndResource() {
        String redirectUri = loopback("127.0.0.1");
        Map<String, Object> metadata = ClientRegistration.sdkMetadata("Desktop MCP client", redirectUri,
                "openid offline_access " + McpTestRealm.SERVER_SCOPE);
        metadata.put("application_type", "native");
        metadata.put("software_id", "com.example.desktop-mcp-client");
        metadata.put("software_version", "2.4.1");
        metadata.put("resource", McpTestRealm.SERVER);

        Registered registered = realm.registerOrFail(metadata);

        assertEquals(List.of("http://127.0.0.1/callback"), registered.redirectUris(), registered::toString);
        TokenResponse tokens = assertCompletesFlow(registered.publicClient(redirectUri),
                "openid offline_access " + McpTestRealm.SERVER_SCOPE);
        assertNotNull(tokens.refreshToken(), tokens::describe);
    }

    /** IPv6 loopback (RFC 8252 §7.3), stored without its port like 127.0.0.1. */
    @Test
    void ipv6LoopbackRedirect() {
        String redirectUri = loopback("[::1]");
        Map<String, Object> metadata = ClientRegistration.sdkMetadata("IPv6 loopback client", redirectUri, null);

        Registered registered = realm.registerOrFail(metadata);

        assertEquals(List.of("http://[::1]/callback"), registered.redirectUris(), registered::toString);
        assertCompletesFlow(registered.publicClient(redirectUri), null);
    }

    /** A private-use URI scheme of a native app (RFC 8252 §7.1), e.g. an editor's own scheme. */
    @ParameterizedTest
    @ValueSource(strings = {"cursor://anysphere.cursor-mcp/oauth/callback", "com.example.mcpapp:/oauth2redirect"})
    void privateUseSchemeRedirectOfANativeApp(String redirectUri) {
        Map<String, Object> metadata = ClientRegistration.sdkMetadata("Editor with its own scheme", redirectUri, null);
        metadata.put("application_type", "native");

        Registered registered = realm.registerOrFail(metadata);

        assertEquals(List.of(redirectUri), registered.redirectUris(), registered::toString);
        assertCompletesFlow(registered.publicClient(redirectUri), null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"client_secret_basic", "client_secret_post"})
    void confidentialWebClientWithSecret(String method) {
        String redirectUri = "https://app.example.com/oauth/callback";

        Registered registered = realm.registerOrFail(
                ClientRegistration.webMetadata("Hosted MCP client (" + method + ")", redirectUri, method));

        // Keycloak's own difference: before 26.7 (checked on 26.4.7 and 26.5.6) its registration response names the
        // first method of the client-secret authenticator (client_secret_basic) for either; both work at the token
        // endpoint, which the flow below proves with the method the client registered.
        String reported = KeycloakVersions.atLeast(keycloak.keycloakVersion(), "26.7.0") ? method : "client_secret_basic";
        assertEquals(reported, registered.tokenEndpointAuthMethod(), registered::toString);
        assertNotNull(registered.clientSecret(), "a confidential client is issued a secret: " + registered);
        assertFalse(registered.clientSecret().isBlank(), registered::toString);
        ClientAuthentication authentication = method.equals("client_secret_basic")
                ? ClientAuthentication.secretBasic(registered.clientSecret())
                : ClientAuthentication.secretPost(registered.clientSecret());
        McpClient client = registered.client(redirectUri, authentication);
        assertCompletesFlow(client, null);

        TokenResponse withoutSecret = registered.publicClient(redirectUri).refreshRequest("x").send();
        assertEquals(401, withoutSecret.status(), "the client is confidential: " + withoutSecret.describe());
    }

    @Test
    void privateKeyJwtClientWithJwks() {
        String redirectUri = "https://agent.example.com/oauth/callback";
        ClientKey key = ClientKey.generateRsa();
        Map<String, Object> metadata = ClientRegistration.webMetadata("Agent with a key", redirectUri, "private_key_jwt");
        metadata.put("jwks", key.jwks());

        Registered registered = realm.registerOrFail(metadata);

        assertEquals("private_key_jwt", registered.tokenEndpointAuthMethod(), registered::toString);
        McpClient client = registered.client(redirectUri, ClientAuthentication.privateKeyJwt(key));
        TokenResponse tokens = assertCompletesFlow(client, null);

        TokenResponse refreshed = client.refresh(tokens.refreshToken(), McpTestRealm.SERVER);
        assertEquals(200, refreshed.status(), "refresh with a new client assertion: " + refreshed.describe());
        TokenResponse otherKey = registered.client(redirectUri, ClientAuthentication.privateKeyJwt(ClientKey.generateRsa()))
                .refresh(tokens.refreshToken(), McpTestRealm.SERVER);
        assertEquals("invalid_client", otherKey.error(), "an assertion signed with another key: " + otherKey.describe());
    }

    /** Login with consent, code exchange with {@code resource}, then the token's audience is exactly that server. */
    private static TokenResponse assertCompletesFlow(McpClient client, String scope) {
        TokenResponse tokens = client.login(realm.user(), McpTestRealm.SERVER, scope);
        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(McpTestRealm.SERVER), tokens.audience(), () -> tokens.accessTokenClaims().toString());
        assertEquals(client.clientId(), tokens.accessTokenClaims().path("azp").asText());
        return tokens;
    }

    private static String loopback(String host) {
        return "http://" + host + ":" + randomPort() + "/callback";
    }

    private static int randomPort() {
        return ThreadLocalRandom.current().nextInt(20000, 60000);
    }
}
