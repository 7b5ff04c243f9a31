package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.McpTestRealm;
import io.github.mcpauthz.it.support.TokenRequest;
import io.github.mcpauthz.it.support.TokenResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.github.mcpauthz.it.support.McpTestRealm.SERVER;
import static io.github.mcpauthz.it.support.McpTestRealm.SERVER_SCOPE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 8693 token exchange bound to the registry: the MCP server {@value McpTestRealm#SERVER} ("files") is linked to
 * the confidential client {@code files-server-*} and may exchange its users' tokens for the MCP server {@link #MAIL}
 * and the Keycloak client {@code internal-api-*}. "mail" is linked to {@code mail-server-*} and may exchange for
 * {@link #CALENDAR}; "calendar" has no exchange client. Keycloak's own per-client switch
 * ({@code standard.token.exchange.enabled}) is left off for the servers' clients: the registry link is what allows them.
 *
 * <p>The user token comes from a real authorization-code flow with PKCE and {@code resource} = files, as an MCP client
 * gets it. Every refusal is a 400 with the exact RFC 8693 / RFC 6749 error code and no token.
 */
@KeycloakIT
class TokenExchangeIT {

    static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    static final String REFRESH_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:refresh_token";
    static final String MAIL = "https://mail.example.com/mcp";
    static final String CALENDAR = "https://calendar.example.com/mcp";
    static final String MAIL_SCOPE = "mail:send";
    static final List<String> DEFAULT_SCOPES = List.of("basic", "profile", "email", "roles", "web-origins", "acr");

    private static McpTestRealm realm;
    private static McpClient mcpClient;
    private static McpClient filesServer;
    private static McpClient mailServer;
    private static McpClient otherClient;
    private static String internalApi;

    @BeforeAll
    static void createRealm(KeycloakEnvironment keycloak) {
        realm = McpTestRealm.create(keycloak, "token-exchange");
        AdminApi admin = realm.admin();
        AdminApi.expect(admin.registerServer(realm.name(), MAIL, "Mail MCP server", List.of(MAIL_SCOPE), false), 201);
        AdminApi.expect(admin.registerServer(realm.name(), CALENDAR, "Calendar MCP server", List.of("calendar:read"), false), 201);

        mcpClient = mcpClient(Map.of());
        // The files server's client has mail:send as a default scope: Keycloak would put it in every token of the
        // client, but the user never granted it, so an exchanged token must not carry it.
        filesServer = confidentialClient("files-server", Map.of(), List.of(
                "basic", "profile", "email", "roles", "web-origins", "acr", MAIL_SCOPE));
        mailServer = confidentialClient("mail-server", Map.of(), null);
        internalApi = confidentialClient("internal-api", Map.of(), null).clientId();
        otherClient = confidentialClient("other", Map.of("standard.token.exchange.enabled", "true"), null);

        link(SERVER, filesServer.clientId(), List.of(MAIL, internalApi));
        link(MAIL, mailServer.clientId(), List.of(CALENDAR));
    }

    @AfterAll
    static void deleteRealm() {
        McpTestRealm.close(realm);
    }

    private static McpClient confidentialClient(String prefix, Map<String, String> attributes, List<String> defaultScopes) {
        String clientId = prefix + "-" + randomSuffix();
        String secret = java.util.UUID.randomUUID().toString();
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", clientId);
        client.put("protocol", "openid-connect");
        client.put("publicClient", false);
        client.put("clientAuthenticatorType", "client-secret");
        client.put("secret", secret);
        client.put("standardFlowEnabled", false);
        client.put("directAccessGrantsEnabled", false);
        client.put("attributes", attributes);
        client.put("defaultClientScopes", defaultScopes == null ? DEFAULT_SCOPES : defaultScopes);
        client.put("optionalClientScopes", List.of(SERVER_SCOPE));
        realm.admin().createClient(realm.name(), client);
        return McpClient.preRegistered(realm.issuer(), clientId, secret, null);
    }

    /** A public MCP client with Keycloak's usual default scopes (the test realm's JSON names none) and the server's scope. */
    private static McpClient mcpClient(Map<String, String> attributes) {
        String clientId = "mcp-client-" + randomSuffix();
        String redirectUri = McpClient.loopbackRedirectUri();
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", clientId);
        client.put("protocol", "openid-connect");
        client.put("publicClient", true);
        client.put("standardFlowEnabled", true);
        client.put("directAccessGrantsEnabled", false);
        client.put("redirectUris", List.of(redirectUri));
        client.put("defaultClientScopes", DEFAULT_SCOPES);
        client.put("optionalClientScopes", List.of(SERVER_SCOPE));
        client.put("attributes", attributes);
        realm.admin().createClient(realm.name(), client);
        return McpClient.preRegistered(realm.issuer(), clientId, null, redirectUri);
    }

    /** Sets the exchange client and downstream audiences of a registered server through the admin REST API. */
    private static void link(String resource, String clientId, List<String> audiences) {
        AdminApi admin = realm.admin();
        String id = serverId(resource);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("clientId", clientId);
        body.put("exchangeAudiences", audiences);
        JsonNode stored = AdminApi.expect(admin.updateServer(realm.name(), id, body), 200).json();
        assertEquals(clientId, stored.path("clientId").asText(), stored::toString);
        assertEquals(audiences.size(), stored.path("exchangeAudiences").size(), stored::toString);
    }

    private static String serverId(String resource) {
        for (JsonNode server : AdminApi.expect(realm.admin().listServers(realm.name()), 200).json()) {
            if (resource.equals(server.path("resource").asText())) {
                return server.path("id").asText();
            }
        }
        throw new AssertionError("no server " + resource);
    }

    /** The user's token for the files server, as the MCP client gets it (code flow, PKCE, resource). */
    private static TokenResponse userToken() {
        TokenResponse tokens = mcpClient.login(realm.user(), SERVER, SERVER_SCOPE);
        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(SERVER), tokens.audience(), tokens::describe);
        return tokens;
    }

    private static TokenRequest exchange(McpClient requester, String subjectToken) {
        return requester.tokenRequest().set("grant_type", TOKEN_EXCHANGE)
                .set("subject_token", subjectToken).set("subject_token_type", ACCESS_TOKEN_TYPE);
    }

    private static Set<String> scopes(JsonNode claims) {
        String scope = claims.path("scope").asText("");
        return new LinkedHashSet<>(Arrays.asList(scope.isBlank() ? new String[0] : scope.trim().split(" +")));
    }

    // --- exchanges the registry allows ------------------------------------------------------------------------------

    @Test
    void filesServerExchangesTheUsersTokenForTheMailServer() {
        TokenResponse user = userToken();
        JsonNode subject = user.accessTokenClaims();

        TokenResponse exchanged = exchange(filesServer, user.accessToken()).set("audience", MAIL).send();

        assertEquals(200, exchanged.status(), exchanged::describe);
        assertEquals(ACCESS_TOKEN_TYPE, exchanged.json().path("issued_token_type").asText(), exchanged::describe);
        assertNull(exchanged.refreshToken(), exchanged::describe);
        JsonNode claims = exchanged.accessTokenClaims();
        assertEquals(List.of(MAIL), exchanged.audience(), claims::toString);
        assertEquals(subject.path("sub").asText(), claims.path("sub").asText(), claims::toString);
        assertFalse(claims.path("sub").asText().isEmpty(), claims::toString);
        assertEquals(filesServer.clientId(), claims.path("azp").asText(), claims::toString);
        assertEquals(SERVER, claims.path("act").path("sub").asText(), claims::toString);
        assertEquals(filesServer.clientId(), claims.path("act").path("client_id").asText(), claims::toString);
        assertTrue(claims.path("act").path("act").isMissingNode(), claims::toString);
        Set<String> granted = scopes(subject);
        Set<String> exchangedScopes = scopes(claims);
        assertTrue(exchangedScopes.contains(SERVER_SCOPE), claims::toString);
        assertTrue(granted.containsAll(exchangedScopes), "exchanged " + exchangedScopes + ", granted " + granted);
        assertFalse(granted.contains(MAIL_SCOPE), subject::toString);
        assertFalse(exchangedScopes.contains(MAIL_SCOPE), "a default scope of the server's client the user never granted: " + claims);
    }

    @Test
    void anExplicitScopeWithinTheGrantedOnesIsKept() {
        TokenResponse exchanged = exchange(filesServer, userToken().accessToken())
                .set("resource", MAIL).set("scope", SERVER_SCOPE).send();

        assertEquals(200, exchanged.status(), exchanged::describe);
        assertEquals(List.of(MAIL), exchanged.audience(), exchanged::describe);
        assertTrue(scopes(exchanged.accessTokenClaims()).contains(SERVER_SCOPE), exchanged::describe);
    }

    @Test
    void filesServerExchangesForAnInternalApiClient() {
        TokenResponse user = userToken();

        TokenResponse exchanged = exchange(filesServer, user.accessToken()).set("audience", internalApi).send();

        assertEquals(200, exchanged.status(), exchanged::describe);
        JsonNode claims = exchanged.accessTokenClaims();
        assertEquals(List.of(internalApi), exchanged.audience(), claims::toString);
        assertEquals(user.accessTokenClaims().path("sub").asText(), claims.path("sub").asText(), claims::toString);
        assertEquals(SERVER, claims.path("act").path("sub").asText(), claims::toString);
    }

    @Test
    void aChainOfExchangesNestsTheActors() {
        TokenResponse forMail = exchange(filesServer, userToken().accessToken()).set("audience", MAIL).send();
        assertEquals(200, forMail.status(), forMail::describe);

        TokenResponse forCalendar = exchange(mailServer, forMail.accessToken()).set("audience", CALENDAR).send();

        assertEquals(200, forCalendar.status(), forCalendar::describe);
        JsonNode claims = forCalendar.accessTokenClaims();
        assertEquals(List.of(CALENDAR), forCalendar.audience(), claims::toString);
        assertEquals(MAIL, claims.path("act").path("sub").asText(), claims::toString);
        assertEquals(mailServer.clientId(), claims.path("act").path("client_id").asText(), claims::toString);
        assertEquals(SERVER, claims.path("act").path("act").path("sub").asText(), claims::toString);
        assertEquals(filesServer.clientId(), claims.path("act").path("act").path("client_id").asText(), claims::toString);
    }

    // --- refusals ---------------------------------------------------------------------------------------------------

    @Test
    void anAudienceTheServerMayNotExchangeForIsInvalidTarget() {
        String token = userToken().accessToken();

        assertRefused(exchange(filesServer, token).set("audience", CALENDAR).send(), "invalid_target",
                "MCP server " + SERVER + " may not exchange tokens for MCP server " + CALENDAR);
        assertRefused(exchange(filesServer, token).set("audience", otherClient.clientId()).send(), "invalid_target",
                "'" + otherClient.clientId() + "' is not an audience MCP server " + SERVER + " may exchange tokens for");
        assertRefused(exchange(filesServer, token).set("resource", "https://unknown.example.com/mcp").send(), "invalid_target",
                "'https://unknown.example.com/mcp' is not an audience");
        assertRefused(exchange(filesServer, token).set("audience", MAIL).set("resource", internalApi).send(), "invalid_target",
                "A token exchange names one downstream audience; this request names 2");
    }

    @Test
    void aTokenIssuedForAnotherServerIsInvalidRequest() {
        assertRefused(exchange(mailServer, userToken().accessToken()).set("audience", CALENDAR).send(), "invalid_request",
                "The subject_token was issued for MCP server " + SERVER + ", not for an MCP server client "
                        + mailServer.clientId() + " acts for");
    }

    @Test
    void aClientTheRegistryDoesNotLinkIsUnauthorized() {
        String token = userToken().accessToken();

        // Keycloak's own token exchange switch is on for this client; the registry does not name it.
        assertRefused(exchange(otherClient, token).set("audience", MAIL).send(), "unauthorized_client",
                "Client " + otherClient.clientId() + " is not the token exchange client of MCP server " + SERVER);
        // The MCP client that holds the token (azp) cannot exchange it either.
        assertRefused(exchange(mcpClient, token).set("audience", MAIL).send(), "unauthorized_client",
                "Client " + mcpClient.clientId() + " is not the token exchange client of MCP server " + SERVER);
    }

    @Test
    void anExpiredSubjectTokenIsInvalidRequest() throws InterruptedException {
        McpClient shortLived = mcpClient(Map.of("access.token.lifespan", "1"));
        TokenResponse user = shortLived.login(realm.user(), SERVER, SERVER_SCOPE);
        assertEquals(200, user.status(), user::describe);
        long exp = user.accessTokenClaims().path("exp").asLong();
        // Wait until the token is past its expiry by 2 s; a slow machine only waits less.
        long waitMillis = (exp + 2) * 1000 - System.currentTimeMillis();
        if (waitMillis > 0) {
            Thread.sleep(Math.min(waitMillis, 10_000));
        }
        assertTrue(System.currentTimeMillis() / 1000 > exp + 1, "token not yet expired");

        assertRefused(exchange(filesServer, user.accessToken()).set("audience", MAIL).send(), "invalid_request", "Invalid token");
    }

    @Test
    void aScopeTheUserDidNotGrantIsInvalidScope() {
        assertRefused(exchange(filesServer, userToken().accessToken()).set("audience", MAIL).set("scope", MAIL_SCOPE).send(),
                "invalid_scope", "Scope " + MAIL_SCOPE + " was not granted to the subject_token");
    }

    @Test
    void anExchangeWithoutTargetOrForARefreshTokenIsInvalidRequest() {
        String token = userToken().accessToken();

        assertRefused(exchange(filesServer, token).send(), "invalid_request",
                "The audience or resource parameter is required");
        assertRefused(exchange(filesServer, token).set("audience", MAIL).set("requested_token_type", REFRESH_TOKEN_TYPE).send(),
                "invalid_request", "requested_token_type " + REFRESH_TOKEN_TYPE + " is not supported");
    }

    // --- the registry ------------------------------------------------------------------------------------------------

    @Test
    void theAdminApiRefusesMalformedExchangeSettingsAndKeepsTheServer() {
        String id = serverId(CALENDAR);

        HttpResult blank = realm.admin().updateServer(realm.name(), id, Map.of("exchangeAudiences", List.of("two words")));
        assertEquals(400, blank.status(), blank::describe);
        assertEquals("invalid_request", blank.json().path("error").asText(), blank::describe);
        assertTrue(blank.json().path("error_description").asText().contains("contains whitespace or control characters"), blank::describe);
        HttpResult wrongType = realm.admin().updateServer(realm.name(), id, Map.of("clientId", List.of("a")));
        assertEquals(400, wrongType.status(), wrongType::describe);
        assertEquals("clientId must be a string", wrongType.json().path("error_description").asText(), wrongType::describe);

        JsonNode calendar = AdminApi.expect(realm.admin().get("/admin/realms/" + realm.name() + "/mcp-authz/servers/" + id), 200).json();
        assertFalse(calendar.hasNonNull("clientId"), calendar::toString);
        assertEquals(0, calendar.path("exchangeAudiences").size(), calendar::toString);
    }

    private static String randomSuffix() {
        return java.util.UUID.randomUUID().toString().substring(0, 8);
    }

    static void assertRefused(TokenResponse response, String error, String descriptionStart) {
        assertEquals(400, response.status(), response::describe);
        assertEquals(error, response.error(), response::describe);
        assertTrue(response.errorDescription() != null && response.errorDescription().startsWith(descriptionStart),
                response::describe);
        assertNull(response.accessToken(), response::describe);
        assertNull(response.refreshToken(), response::describe);
    }
}
