package io.github.mcpauthz.it.support;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Requests and exact-outcome assertions shared by the consent tests. */
public final class ConsentAssertions {

    /** The line the client itself has on the consent page of a dynamic client (shown until granted once). */
    public static final String CLIENT_ITEM = "Sign you in and act on your behalf (this application registered itself)";
    public static final String DEMO_ITEM = "Demo MCP server (http://localhost:3001/mcp)";
    public static final String DEMO_TOOLS_ITEM = "mcp:tools (Demo MCP server)";
    public static final String WEATHER_ITEM = "Weather MCP server (https://weather.example.com/mcp)";
    public static final String WEATHER_READ_ITEM = "weather:read (Weather MCP server)";

    private ConsentAssertions() {
    }

    /** An authorization request for one MCP server, as an SDK sends it: {@code resource} and the server's scope. */
    public static AuthorizationRequest request(McpClient client, String resource, String scope) {
        return client.authorizationRequest().resource(resource).scope(scope);
    }

    /** {@link #request} with {@code prompt=none}. */
    public static AuthorizationRequest passiveRequest(McpClient client, String resource, String scope) {
        return request(client, resource, scope).set("prompt", "none");
    }

    /** Redirected to the client with a code, the request's {@code state} and {@code iss}, and no error. */
    public static void assertCode(ConsentBrowser.Outcome outcome, String issuer) {
        AuthorizationResponse response = outcome.response();
        assertTrue(response.redirectedToClient(), outcome::describe);
        assertNull(response.error(), outcome::describe);
        assertNotNull(response.code(), outcome::describe);
        assertEquals(response.request().state(), response.state(), outcome::describe);
        assertEquals(issuer, response.iss(), outcome::describe);
    }

    /** Redirected to the client with {@code error}, the request's {@code state}, {@code iss}, and no code. */
    public static void assertErrorRedirect(ConsentBrowser.Outcome outcome, String error, String issuer) {
        AuthorizationResponse response = outcome.response();
        assertTrue(response.redirectedToClient(), outcome::describe);
        assertEquals(error, response.error(), outcome::describe);
        assertNull(response.code(), outcome::describe);
        assertEquals(response.request().state(), response.state(), outcome::describe);
        assertEquals(issuer, response.iss(), outcome::describe);
    }

    /** The user saw neither the login form nor a consent page. */
    public static void assertNothingShown(ConsentBrowser.Outcome outcome) {
        assertFalse(outcome.loginShown(), () -> "login form shown: " + outcome.describe());
        assertFalse(outcome.consentShown(), () -> "consent page shown: " + outcome.describe());
    }

    /** Exactly one consent page, listing exactly {@code items} (in any order). */
    public static void assertConsentPage(ConsentBrowser.Outcome outcome, String... items) {
        assertTrue(outcome.consentShown(), () -> "no consent page: " + outcome.describe());
        assertEquals(Set.of(items), new LinkedHashSet<>(outcome.consentItems()), outcome::describe);
        assertEquals(items.length, outcome.consentItems().size(), outcome::describe);
    }

    /** Status 200, {@code aud} exactly {@code [resource]}, {@code azp} the client, {@code scope} exactly {@code scope}. */
    public static void assertTokenFor(TokenResponse tokens, McpClient client, String resource, String scope) {
        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(resource), tokens.audience(), () -> tokens.accessTokenClaims().toString());
        assertEquals(client.clientId(), tokens.accessTokenClaims().path("azp").asText(),
                () -> tokens.accessTokenClaims().toString());
        assertEquals(Set.of(scope.split(" ")), scopes(tokens.accessTokenClaims().path("scope").asText()),
                () -> tokens.accessTokenClaims().toString());
    }

    /** A refresh that fails because the grant is gone: 400 {@code invalid_grant}. */
    public static void assertInvalidGrant(TokenResponse refreshed) {
        assertEquals(400, refreshed.status(), refreshed::describe);
        assertEquals("invalid_grant", refreshed.error(), refreshed::describe);
        assertNull(refreshed.accessToken(), refreshed::describe);
    }

    private static Set<String> scopes(String scope) {
        Set<String> scopes = new LinkedHashSet<>(Arrays.asList(scope.trim().split("\\s+")));
        scopes.remove("");
        return scopes;
    }
}
