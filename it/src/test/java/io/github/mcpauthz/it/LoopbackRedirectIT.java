package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.AuthorizationResponse;
import io.github.mcpauthz.it.support.ClientRegistration;
import io.github.mcpauthz.it.support.ClientRegistration.Registered;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.McpTestRealm;
import io.github.mcpauthz.it.support.TokenResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 8252 §7.3: a native client's local listener gets a new port every run, so a loopback redirect URI registered
 * with one port is honoured with any port at authorization, and the code exchange takes the port the authorization
 * used. Only the port is free: path and host must match, and non-loopback redirect URIs must match exactly (a mismatch
 * ends on Keycloak's error page, never at the unregistered address).
 */
@KeycloakIT
class LoopbackRedirectIT {

    private static McpTestRealm realm;

    @BeforeAll
    static void createRealm(KeycloakEnvironment keycloak) {
        realm = McpTestRealm.create(keycloak, "dcr-loopback").withoutAnonymousRateLimit();
    }

    @AfterAll
    static void deleteRealm() {
        McpTestRealm.close(realm);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "[::1]"})
    void registeredWithOnePortAuthorizedWithAnother(String host) {
        Registered registered = realm.registerOrFail(
                ClientRegistration.sdkMetadata("Loopback " + host, "http://" + host + ":33418/callback", null));
        assertEquals(List.of("http://" + host + "/callback"), registered.redirectUris(), registered::toString);
        McpClient client = registered.publicClient("http://" + host + ":45678/callback");

        AuthorizationResponse authorization = client.authorize(
                client.authorizationRequest().resource(McpTestRealm.SERVER), realm.user());

        assertTrue(authorization.redirectedToClient(), authorization::describe);
        assertEquals(45678, authorization.location().getPort(), authorization::describe);
        assertNotNull(authorization.code(), authorization::describe);
        TokenResponse tokens = client.exchange(authorization, McpTestRealm.SERVER);
        assertEquals(200, tokens.status(), "code exchange with the port of the authorization: " + tokens.describe());
        assertEquals(List.of(McpTestRealm.SERVER), tokens.audience(), () -> tokens.accessTokenClaims().toString());
    }

    /** The code is bound to the redirect URI of its authorization request, port included (RFC 6749 §4.1.3). */
    @Test
    void codeExchangeWithAnotherPortThanTheAuthorizationFails() {
        Registered registered = realm.registerOrFail(
                ClientRegistration.sdkMetadata("Loopback port binding", "http://127.0.0.1:33418/callback", null));
        McpClient client = registered.publicClient("http://127.0.0.1:45678/callback");
        AuthorizationResponse authorization = client.authorize(client.authorizationRequest(), realm.user());
        assertNotNull(authorization.code(), authorization::describe);

        TokenResponse tokens = client.codeExchange(authorization)
                .set("redirect_uri", "http://127.0.0.1:45679/callback").send();

        assertEquals(400, tokens.status(), tokens::describe);
        assertEquals("invalid_grant", tokens.error(), tokens::describe);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:45678/other", "http://127.0.0.1:45678/callback/more",
            "http://localhost:45678/callback", "http://[::1]:45678/callback"})
    void onlyThePortOfALoopbackRedirectIsFree(String redirectUri) {
        Registered registered = realm.registerOrFail(
                ClientRegistration.sdkMetadata("Loopback path", "http://127.0.0.1:33418/callback", null));

        assertKeycloakErrorPage(registered.publicClient(redirectUri));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://app.example.com/other", "https://app.example.com:8443/oauth/callback",
            "https://app.example.com/oauth/callback/x", "https://evil.example.com/oauth/callback",
            "http://app.example.com/oauth/callback"})
    void httpsRedirectMustMatchExactly(String redirectUri) {
        Registered registered = realm.registerOrFail(ClientRegistration.webMetadata("Exact https",
                "https://app.example.com/oauth/callback", "client_secret_basic"));

        assertKeycloakErrorPage(registered.publicClient(redirectUri));
    }

    @Test
    void registeredHttpsRedirectWorks() {
        Registered registered = realm.registerOrFail(ClientRegistration.webMetadata("Exact https",
                "https://app.example.com/oauth/callback", "client_secret_basic"));
        McpClient client = registered.publicClient("https://app.example.com/oauth/callback");

        AuthorizationResponse authorization = client.authorize(client.authorizationRequest(), realm.user());

        assertNotNull(authorization.code(), authorization::describe);
    }

    private static void assertKeycloakErrorPage(McpClient client) {
        AuthorizationResponse authorization = client.authorize(client.authorizationRequest(), realm.user());
        assertFalse(authorization.redirectedToClient(), "must not redirect to an unregistered URI: " + authorization.describe());
        assertNull(authorization.code(), authorization::describe);
        assertEquals(400, authorization.pageStatus(), authorization::describe);
        assertTrue(authorization.pageText().contains("redirect_uri"), authorization::describe);
        assertFalse(authorization.loginShown(), "no login for a bad redirect URI: " + authorization.describe());
    }
}
