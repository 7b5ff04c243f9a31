package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.Http;
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

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.github.mcpauthz.it.support.McpTestRealm.SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Grants with no authorization request (device authorization, client credentials, password, token exchange) bind
 * no MCP server and ask no consent per server. In an MCP realm they refuse {@code resource} (client credentials: unless
 * the server lists the client as a machine client, see {@link MachineClientIT}) with
 * {@code invalid_target} (before anything is consumed: a device code stays usable), and their tokens name no MCP
 * server, even when a protocol mapper of the client adds the server's URI to {@code aud}. Token exchange keeps such
 * a mapper-added server only when the exchange asked for exactly that server.
 *
 * <p>Every client here is admin-made, with an audience mapper that adds {@value McpTestRealm#SERVER} (the realm's MCP
 * server) to its access tokens.
 */
@KeycloakIT
class UnboundGrantsIT {

    static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    static final String DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code";

    private static McpTestRealm realm;
    private static McpClient device;
    private static McpClient machine;
    private static McpClient exchanger;

    @BeforeAll
    static void createRealmAndClients(KeycloakEnvironment keycloak) {
        realm = McpTestRealm.create(keycloak, "unbound-grants");
        device = createClient("device", null, Map.of("oauth2.device.authorization.grant.enabled", "true"), false);
        machine = createClient("machine", randomSecret(), Map.of(), true);
        exchanger = createClient("exchanger", randomSecret(),
                Map.of("standard.token.exchange.enabled", "true"), false);
    }

    @AfterAll
    static void deleteRealm() {
        McpTestRealm.close(realm);
    }

    private static McpClient createClient(String prefix, String secret, Map<String, String> attributes, boolean serviceAccount) {
        String clientId = prefix + "-" + Long.toString(System.nanoTime(), 36);
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", clientId);
        client.put("protocol", "openid-connect");
        client.put("publicClient", secret == null);
        if (secret != null) {
            client.put("clientAuthenticatorType", "client-secret");
            client.put("secret", secret);
        }
        client.put("standardFlowEnabled", false);
        client.put("directAccessGrantsEnabled", true);
        client.put("serviceAccountsEnabled", serviceAccount);
        client.put("attributes", attributes);
        client.put("protocolMappers", List.of(Map.of(
                "name", "MCP server audience",
                "protocol", "openid-connect",
                "protocolMapper", "oidc-audience-mapper",
                "config", Map.of("included.custom.audience", SERVER, "access.token.claim", "true",
                        "id.token.claim", "false", "introspection.token.claim", "true"))));
        realm.admin().createClient(realm.name(), client);
        return McpClient.preRegistered(realm.issuer(), clientId, secret, null);
    }

    private static String randomSecret() {
        return java.util.UUID.randomUUID().toString();
    }

    // --- device authorization grant (RFC 8628) ----------------------------------------------------------------------

    @Test
    void deviceAuthorizationRequestWithResourceIsInvalidTarget() {
        HttpResult response = deviceAuthorization(SERVER);

        assertEquals(400, response.status(), response::describe);
        assertEquals("invalid_target", response.json().path("error").asText(), response::describe);
        assertTrue(response.json().path("error_description").asText().contains("not supported"), response::describe);
    }

    @Test
    void deviceTokenRequestWithResourceIsInvalidTargetAndTheDeviceCodeStaysUsable() {
        HttpResult authorization = deviceAuthorization(null);
        assertEquals(200, authorization.status(), authorization::describe);
        String deviceCode = authorization.json().path("device_code").asText();

        TokenResponse refused = device.tokenRequest().set("grant_type", DEVICE_CODE).set("device_code", deviceCode)
                .resource(SERVER).send();

        assertInvalidTarget(refused);
        TokenResponse pending = device.tokenRequest().set("grant_type", DEVICE_CODE).set("device_code", deviceCode).send();
        assertEquals("authorization_pending", pending.error(), "the device code was consumed: " + pending.describe());
    }

    private static HttpResult deviceAuthorization(String resource) {
        Map<String, List<String>> form = new LinkedHashMap<>();
        form.put("client_id", List.of(device.clientId()));
        if (resource != null) {
            form.put("resource", List.of(resource));
        }
        return Http.postForm(realm.issuer() + "/protocol/openid-connect/auth/device", form);
    }

    // --- client credentials and password ----------------------------------------------------------------------------

    @Test
    void clientCredentialsWithResourceIsInvalidTargetForAClientNoServerLists() {
        // Machine clients are allowed per server (MachineClientIT); this client is listed on none.
        TokenResponse refused = clientCredentials().resource(SERVER).send();
        assertEquals(400, refused.status(), refused::describe);
        assertEquals("invalid_target", refused.error(), refused::describe);
        assertEquals("Client " + machine.clientId() + " may not get tokens for MCP server " + SERVER
                + " with the client credentials grant: it is not one of the server's machine clients",
                refused.errorDescription(), refused::describe);
        assertNull(refused.accessToken(), refused::describe);
    }

    @Test
    void clientCredentialsTokenNamesNoMcpServer() {
        TokenResponse tokens = clientCredentials().send();

        assertEquals(200, tokens.status(), tokens::describe);
        assertFalse(tokens.audience().contains(SERVER), "mapper-added server kept: " + tokens.audience());
    }

    @Test
    void passwordGrantWithResourceIsInvalidTarget() {
        assertInvalidTarget(password(machine).resource(SERVER).send());
    }

    @Test
    void passwordGrantTokenNamesNoMcpServer() {
        TokenResponse tokens = password(machine).send();

        assertEquals(200, tokens.status(), tokens::describe);
        assertFalse(tokens.audience().contains(SERVER), "mapper-added server kept: " + tokens.audience());
    }

    private static TokenRequest clientCredentials() {
        return machine.tokenRequest().set("grant_type", "client_credentials");
    }

    private static TokenRequest password(McpClient client) {
        return client.tokenRequest().set("grant_type", "password")
                .set("username", realm.user().username()).set("password", realm.user().password());
    }

    // --- token exchange (RFC 8693) ----------------------------------------------------------------------------------

    @Test
    void tokenExchangeDropsAMapperAddedServerItDidNotAskFor() {
        TokenResponse exchanged = exchange().send();

        assertEquals(200, exchanged.status(), exchanged::describe);
        assertFalse(exchanged.audience().contains(SERVER), "mapper-added server kept: " + exchanged.audience());
    }

    @Test
    void tokenExchangeKeepsAMapperAddedServerItAskedFor() {
        TokenResponse exchanged = exchange().resource(SERVER).send();

        assertEquals(200, exchanged.status(), exchanged::describe);
        assertTrue(exchanged.audience().contains(SERVER), "asked-for server dropped: " + exchanged.audience());
    }

    private static TokenRequest exchange() {
        TokenResponse subject = password(exchanger).send();
        assertEquals(200, subject.status(), subject::describe);
        return exchanger.tokenRequest().set("grant_type", TOKEN_EXCHANGE)
                .set("subject_token", subject.accessToken()).set("subject_token_type", ACCESS_TOKEN_TYPE);
    }

    static void assertInvalidTarget(TokenResponse response) {
        assertEquals(400, response.status(), response::describe);
        assertEquals("invalid_target", response.error(), response::describe);
        assertTrue(response.errorDescription() != null && response.errorDescription().contains("not supported"),
                response::describe);
        assertNull(response.accessToken(), response::describe);
    }
}
