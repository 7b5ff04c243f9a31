package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.AuthorizationRequest;
import io.github.mcpauthz.it.support.AuthorizationResponse;
import io.github.mcpauthz.it.support.Browser;
import io.github.mcpauthz.it.support.CimdAuthorization;
import io.github.mcpauthz.it.support.CimdDocumentServer;
import io.github.mcpauthz.it.support.CimdDocuments;
import io.github.mcpauthz.it.support.CimdRealm;
import io.github.mcpauthz.it.support.CimdSetup;
import io.github.mcpauthz.it.support.ClientRegistration;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.McpTestRealm;
import io.github.mcpauthz.it.support.SampleRealm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The authorization endpoint is no open redirector (RFC 9700 §4.11.2): anyone can register a dynamic client with an
 * https redirect URI on a host of their choice, so for such a client, as long as the user has not consented to it,
 * every error the endpoint would redirect (Keycloak's and the extension's) is shown on Keycloak's error page (HTTP
 * 400, no {@code Location}). Loopback redirect URIs, admin-made clients and clients the signed-in user has consented
 * to keep their error redirects with {@code iss}.
 *
 * <p>The https redirect URIs are on {@value #PHISH_HOST}, a reserved name nothing listens on; no test ever
 * connects to them: the assertions are on Keycloak's first answer (redirects are not followed).
 */
@KeycloakIT
class OpenRedirectIT {

    static final String PHISH_HOST = "phish.example";
    static final String PHISH_REDIRECT = "https://" + PHISH_HOST + "/cb";

    private static KeycloakEnvironment keycloak;
    private static McpTestRealm realm;
    private static McpClient phish;
    private static McpClient loopback;
    private static McpClient adminMade;

    @BeforeAll
    static void createRealmAndClients(KeycloakEnvironment environment) {
        keycloak = environment;
        realm = McpTestRealm.create(keycloak, "open-redirect").withoutAnonymousRateLimit();
        phish = realm.registerOrFail(ClientRegistration.sdkMetadata("Totally legit MCP client", PHISH_REDIRECT, null))
                .publicClient(PHISH_REDIRECT);
        loopback = realm.registerPublicClient("Loopback MCP client");
        String adminRedirect = "https://" + PHISH_HOST + "/admin-cb";
        String adminClientId = "admin-made-" + System.nanoTime();
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", adminClientId);
        client.put("publicClient", true);
        client.put("standardFlowEnabled", true);
        client.put("redirectUris", List.of(adminRedirect));
        realm.admin().createClient(realm.name(), client);
        adminMade = McpClient.preRegistered(realm.issuer(), adminClientId, null, adminRedirect);
    }

    @AfterAll
    static void deleteRealm() {
        McpTestRealm.close(realm);
    }

    /** Requests that each end in an error before any user interaction, with the error Keycloak would redirect. */
    static Stream<Arguments> erroneousRequests() {
        return Stream.of(
                bad("unknown resource", "invalid_target", r -> r.resource("https://unknown.example.com/mcp")),
                bad("malformed resource", "invalid_target", r -> r.resource("not a uri")),
                bad("repeated resource", "invalid_target", r -> r.resource(McpTestRealm.SERVER, McpTestRealm.SERVER)),
                bad("no code_challenge", "invalid_request", r -> r.without("code_challenge").without("code_challenge_method")),
                bad("plain code_challenge", "invalid_request",
                        r -> r.set("code_challenge", r.codeVerifier()).set("code_challenge_method", "plain")),
                bad("response_type=token", "unauthorized_client", r -> r.set("response_type", "token")),
                bad("unknown response_type", "unsupported_response_type", r -> r.set("response_type", "bogus")),
                bad("unknown scope", "invalid_scope", r -> r.scope("no-such-scope")),
                bad("repeated state", "invalid_request", r -> r.add("state", "second")),
                bad("prompt=none without a session", "login_required", r -> r.set("prompt", "none")));
    }

    private static Arguments bad(String name, String error, UnaryOperator<AuthorizationRequest> change) {
        return Arguments.of(name, error, change);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("erroneousRequests")
    void dynamicClientWithHttpsRedirectGetsTheErrorPage(String name, String error, UnaryOperator<AuthorizationRequest> change) {
        AuthorizationRequest request = change.apply(phish.authorizationRequest());

        assertErrorPage(firstResponse(request), error);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("erroneousRequests")
    void loopbackRedirectKeepsTheErrorRedirect(String name, String error, UnaryOperator<AuthorizationRequest> change) {
        AuthorizationRequest request = change.apply(loopback.authorizationRequest());

        assertErrorRedirect(request, firstResponse(request), error);
    }

    @Test
    void adminMadeClientKeepsTheErrorRedirect() {
        AuthorizationRequest request = adminMade.authorizationRequest().resource("https://unknown.example.com/mcp");

        assertErrorRedirect(request, firstResponse(request), "invalid_target");
    }

    @Test
    void errorIsRecordedAsLoginError() {
        AuthorizationRequest request = phish.authorizationRequest().resource("https://unknown.example.com/mcp");

        assertErrorPage(firstResponse(request), "invalid_target");
        boolean recorded = false;
        for (var event : realm.admin().events(realm.name(), "LOGIN_ERROR")) {
            recorded |= phish.clientId().equals(event.path("clientId").asText())
                    && "invalid_target".equals(event.path("error").asText());
        }
        assertTrue(recorded, "no LOGIN_ERROR invalid_target event for " + phish.clientId());
    }

    /**
     * Once the signed-in user has consented to the client, its errors go back to it again (she knows the client);
     * the same request from a browser without her session still gets the error page.
     */
    @Test
    void userWhoConsentedGetsTheErrorRedirect() {
        McpClient client = realm.registerOrFail(ClientRegistration.sdkMetadata("Consented https client",
                PHISH_REDIRECT, null)).publicClient(PHISH_REDIRECT);
        Browser browser = new Browser();
        AuthorizationResponse granted = client.authorize(
                client.authorizationRequest().resource(McpTestRealm.SERVER), realm.user(), browser);
        assertTrue(granted.code() != null, granted::describe);

        AuthorizationResponse refused = client.authorize(
                client.authorizationRequest().resource("https://unknown.example.com/mcp"), realm.user(), browser);

        assertTrue(refused.redirectedToClient(), refused::describe);
        assertEquals("invalid_target", refused.error(), refused::describe);
        assertEquals(realm.issuer(), refused.iss(), refused::describe);
        assertEquals(refused.request().state(), refused.state(), refused::describe);
        assertNull(refused.code(), refused::describe);

        assertErrorPage(firstResponse(client.authorizationRequest().resource("https://unknown.example.com/mcp")),
                "invalid_target");
    }

    /**
     * A client ID metadata document with an https redirect URI: the very first request, which makes Keycloak fetch
     * the document and create the client, already gets the error page.
     */
    @Test
    void clientIdMetadataDocumentClientGetsTheErrorPageOnItsFirstRequest() {
        CimdDocumentServer server = CimdSetup.reachableServer(keycloak);
        CimdRealm cimd = null;
        try {
            cimd = CimdRealm.create(keycloak, "open-redirect-cimd", CimdRealm.LOOPBACK_ALLOWED);
            String path = server.newPath("phish");
            String clientId = server.url(path);
            server.serve(path, CimdDocumentServer.Response.json(CimdDocuments.minimal(clientId, PHISH_REDIRECT)));
            McpClient client = CimdAuthorization.client(cimd, clientId, PHISH_REDIRECT);

            HttpResult first = firstResponse(client.authorizationRequest().resource("https://unknown.example.com/mcp"));

            assertErrorPage(first, "invalid_target");
            assertTrue(server.hits(path) >= 1, "Keycloak did not fetch the document");
            assertErrorPage(firstResponse(client.authorizationRequest().set("prompt", "none")
                    .resource(SampleRealm.DEMO_SERVER)), "login_required");
        } finally {
            CimdSetup.cleanUp(cimd, server);
        }
    }

    private static HttpResult firstResponse(AuthorizationRequest request) {
        return CimdAuthorization.firstResponse(request);
    }

    private static void assertErrorPage(HttpResult response, String error) {
        String context = "\n  " + response.describe();
        assertEquals(400, response.status(), "expected Keycloak's error page:" + context);
        assertFalse(response.header("Location").isPresent(), "redirected:" + context);
        String message = CimdAuthorization.errorMessage(response);
        assertTrue(message.contains(error), "the page should name " + error + ", says \"" + message + "\"" + context);
        assertFalse(response.body() != null && response.body().contains(PHISH_HOST),
                "the page must not link to the client's redirect URI:" + context);
    }

    private static void assertErrorRedirect(AuthorizationRequest request, HttpResult response, String error) {
        String context = "\n  " + response.describe();
        assertEquals(302, response.status(), "expected an error redirect:" + context);
        String location = response.header("Location").orElseThrow();
        assertTrue(location.startsWith(request.redirectUri()), "redirected elsewhere:" + context);
        Map<String, String> params = responseParameters(URI.create(location));
        assertEquals(error, params.get("error"), context);
        assertEquals(realm.issuer(), params.get("iss"), context);
        assertNull(params.get("code"), context);
    }

    /** The parameters of an authorization response, from the query or (response_type=token) the fragment. */
    private static Map<String, String> responseParameters(URI location) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String part : new String[] {location.getRawQuery(), location.getRawFragment()}) {
            if (part == null) {
                continue;
            }
            for (String pair : part.split("&")) {
                int eq = pair.indexOf('=');
                params.putIfAbsent(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
    }
}
