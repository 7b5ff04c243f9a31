package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.AuthorizationResponse;
import io.github.mcpauthz.it.support.ClientAuthentication;
import io.github.mcpauthz.it.support.ClientRegistration;
import io.github.mcpauthz.it.support.ClientRegistration.Registered;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.McpTestRealm;
import io.github.mcpauthz.it.support.TokenResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.EnumMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every dynamic client must use PKCE with S256, public or confidential (OAuth 2.1, MCP authorization spec): an
 * authorization request without a code challenge, or with {@code plain}, is refused with {@code invalid_request}
 * before anyone logs in, and a code from an S256 request is only exchanged with its verifier. The public client has
 * a loopback redirect URI and gets the error as a redirect; the confidential one has an https redirect URI nobody
 * has consented to, so the error is shown on Keycloak's error page instead (no open redirector, see OpenRedirectIT).
 */
@KeycloakIT
class PkceRequiredIT {

    enum Kind { PUBLIC, CONFIDENTIAL }

    private static McpTestRealm realm;
    private static final Map<Kind, McpClient> clients = new EnumMap<>(Kind.class);

    @BeforeAll
    static void createRealmAndClients(KeycloakEnvironment keycloak) {
        realm = McpTestRealm.create(keycloak, "dcr-pkce").withoutAnonymousRateLimit();
        String loopback = McpClient.loopbackRedirectUri();
        clients.put(Kind.PUBLIC, realm.registerOrFail(ClientRegistration.sdkMetadata("PKCE public", loopback, null))
                .publicClient(loopback));
        String https = "https://app.example.com/oauth/callback";
        Registered confidential = realm.registerOrFail(
                ClientRegistration.webMetadata("PKCE confidential", https, "client_secret_basic"));
        clients.put(Kind.CONFIDENTIAL, confidential.client(https, ClientAuthentication.secretBasic(confidential.clientSecret())));
    }

    @AfterAll
    static void deleteRealm() {
        McpTestRealm.close(realm);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void withoutCodeChallengeTheRequestIsRefused(Kind kind) {
        McpClient client = clients.get(kind);

        AuthorizationResponse response = client.authorize(
                client.authorizationRequest().without("code_challenge").without("code_challenge_method"), realm.user());

        assertInvalidRequest(kind, response);
        if (kind == Kind.PUBLIC) {
            assertEquals("Missing parameter: code_challenge_method", response.errorDescription(), response::describe);
        } else {
            assertTrue(response.pageText().contains("Missing parameter: code_challenge_method"), response::describe);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void plainCodeChallengeIsRefused(Kind kind) {
        McpClient client = clients.get(kind);
        var request = client.authorizationRequest();
        request.set("code_challenge", request.codeVerifier()).set("code_challenge_method", "plain");

        AuthorizationResponse response = client.authorize(request, realm.user());

        assertInvalidRequest(kind, response);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void challengeWithoutMethodIsRefused(Kind kind) {
        McpClient client = clients.get(kind);

        AuthorizationResponse response = client.authorize(
                client.authorizationRequest().without("code_challenge_method"), realm.user());

        assertInvalidRequest(kind, response);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void codeIsOnlyExchangedWithItsVerifier(Kind kind) {
        McpClient client = clients.get(kind);
        AuthorizationResponse authorization = client.authorize(client.authorizationRequest(), realm.user());
        assertNotNull(authorization.code(), authorization::describe);

        TokenResponse withoutVerifier = client.codeExchange(authorization).without("code_verifier").send();

        assertEquals(400, withoutVerifier.status(), withoutVerifier::describe);
        assertEquals("invalid_grant", withoutVerifier.error(), withoutVerifier::describe);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void s256WithTheVerifierWorks(Kind kind) {
        TokenResponse tokens = clients.get(kind).login(realm.user(), McpTestRealm.SERVER, null);

        assertEquals(200, tokens.status(), tokens::describe);
    }

    private static void assertInvalidRequest(Kind kind, AuthorizationResponse response) {
        if (kind == Kind.PUBLIC) {
            assertTrue(response.redirectedToClient(), response::describe);
            assertEquals("invalid_request", response.error(), response::describe);
        } else {
            assertFalse(response.redirectedToClient(), response::describe);
            assertEquals(400, response.pageStatus(), response::describe);
            assertTrue(response.pageText().contains("invalid_request"), response::describe);
        }
        assertNull(response.code(), response::describe);
        assertFalse(response.loginShown(), "refused before login: " + response.describe());
    }
}
