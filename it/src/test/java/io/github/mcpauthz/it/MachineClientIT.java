package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.ClientAuthentication;
import io.github.mcpauthz.it.support.ClientKey;
import io.github.mcpauthz.it.support.ClientRegistration;
import io.github.mcpauthz.it.support.Http;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.Json;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.McpTestRealm;
import io.github.mcpauthz.it.support.TokenRequest;
import io.github.mcpauthz.it.support.TokenResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.github.mcpauthz.it.support.McpTestRealm.SERVER;
import static io.github.mcpauthz.it.support.McpTestRealm.SERVER_SCOPE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Machine clients (the MCP OAuth client credentials extension): an admin-made confidential client with a service
 * account gets a token for exactly one registered MCP server through {@code grant_type=client_credentials} with
 * {@code resource}, when the server's registry entry lists it under {@code machineClients}.
 *
 * <p>The realm has two servers: {@value McpTestRealm#SERVER} ("files", scope {@value McpTestRealm#SERVER_SCOPE}) and
 * {@link #MAIL} (scope {@link #MAIL_SCOPE}). Every machine client here has both servers' scopes as optional client
 * scopes, so a scope that does not reach the token was dropped by the extension, not by Keycloak.
 */
@KeycloakIT
class MachineClientIT {

    static final String MAIL = "https://mail.example.com/mcp";
    static final String MAIL_SCOPE = "mail:send";
    static final List<String> DEFAULT_SCOPES = List.of("basic", "profile", "email", "roles", "web-origins", "acr");
    /** What the default scopes above put in {@code scope} (the others are not included in the token scope). */
    static final Set<String> DEFAULT_TOKEN_SCOPES = Set.of("profile", "email");

    private static McpTestRealm realm;
    private static KeycloakEnvironment keycloak;
    /** client_secret_basic, allowed the files server. */
    private static McpClient batch;
    private static String batchSecret;
    /** private_key_jwt, allowed the files server. */
    private static McpClient signer;
    /** Allowed both servers. */
    private static McpClient reporter;
    /** Confidential with a service account, listed on no server. */
    private static McpClient stranger;
    /** Allowed the files server, but has no files scope among its client scopes. */
    private static McpClient narrow;
    /** A public client, listed on the files server. */
    private static McpClient publicClient;

    @BeforeAll
    static void createRealm(KeycloakEnvironment environment) {
        keycloak = environment;
        realm = McpTestRealm.create(environment, "machine-clients");
        AdminApi.expect(realm.admin().registerServer(realm.name(), MAIL, "Mail MCP server", List.of(MAIL_SCOPE), false), 201);

        batchSecret = secret();
        batch = McpClient.of(realm.issuer(), secretClient("batch", batchSecret, List.of(SERVER_SCOPE, MAIL_SCOPE)),
                null, ClientAuthentication.secretBasic(batchSecret));
        ClientKey key = ClientKey.generateRsa();
        signer = McpClient.of(realm.issuer(), jwtClient("signer", key), null, ClientAuthentication.privateKeyJwt(key));
        String reporterSecret = secret();
        reporter = McpClient.of(realm.issuer(), secretClient("reporter", reporterSecret, List.of(SERVER_SCOPE, MAIL_SCOPE),
                Map.of("client_credentials.use_refresh_token", "true")), null, ClientAuthentication.secretBasic(reporterSecret));
        String strangerSecret = secret();
        stranger = McpClient.of(realm.issuer(), secretClient("stranger", strangerSecret, List.of(SERVER_SCOPE, MAIL_SCOPE)),
                null, ClientAuthentication.secretBasic(strangerSecret));
        String narrowSecret = secret();
        narrow = McpClient.of(realm.issuer(), secretClient("narrow", narrowSecret, List.of(MAIL_SCOPE)),
                null, ClientAuthentication.secretBasic(narrowSecret));
        publicClient = McpClient.preRegistered(realm.issuer(), publicClient("public"), null, null);

        setMachineClients(SERVER, List.of(batch.clientId(), signer.clientId(), reporter.clientId(), narrow.clientId(),
                publicClient.clientId()));
        setMachineClients(MAIL, List.of(reporter.clientId()));
    }

    @AfterAll
    static void deleteRealm() {
        McpTestRealm.close(realm);
    }

    // --- tokens ---------------------------------------------------------------------------------------------------

    @Test
    void clientSecretBasicClientGetsATokenForItsServerOnly() {
        TokenResponse tokens = clientCredentials(batch).resource(SERVER).set("scope", SERVER_SCOPE + " " + MAIL_SCOPE).send();

        assertEquals(200, tokens.status(), tokens::describe);
        JsonNode claims = tokens.accessTokenClaims();
        assertEquals(List.of(SERVER), tokens.audience(), claims::toString);
        assertEquals(batch.clientId(), claims.path("azp").asText(), claims::toString);
        Set<String> expected = union(DEFAULT_TOKEN_SCOPES, SERVER_SCOPE);
        assertEquals(expected, words(claims.path("scope").asText()), "the mail server's scope is dropped: " + claims);
        assertEquals(expected, words(tokens.json().path("scope").asText()), tokens::describe);
        assertEquals("Bearer", tokens.json().path("token_type").asText(), tokens::describe);
        assertNull(tokens.refreshToken(), "client credentials issue no refresh token: " + tokens.describe());
        assertEquals(realm.issuer(), claims.path("iss").asText(), claims::toString);
    }

    @Test
    void clientSecretPostWorksToo() {
        TokenResponse tokens = McpClient.preRegistered(realm.issuer(), batch.clientId(), batchSecret, null).tokenRequest()
                .set("grant_type", "client_credentials").resource(SERVER).set("scope", SERVER_SCOPE).send();

        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(SERVER), tokens.audience(), tokens::describe);
    }

    @Test
    void aServerScopeTheClientDidNotAskForIsNotInTheToken() {
        TokenResponse tokens = clientCredentials(batch).resource(SERVER).send();

        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(SERVER), tokens.audience(), tokens::describe);
        assertEquals(DEFAULT_TOKEN_SCOPES, words(tokens.accessTokenClaims().path("scope").asText()), tokens::describe);
    }

    @Test
    void privateKeyJwtClientGetsATokenForItsServer() {
        // As in the extension's example: no client_id in the body, the assertion's sub names the client.
        TokenResponse tokens = clientCredentials(signer).resource(SERVER).set("scope", SERVER_SCOPE).send();

        assertEquals(200, tokens.status(), tokens::describe);
        JsonNode claims = tokens.accessTokenClaims();
        assertEquals(List.of(SERVER), tokens.audience(), claims::toString);
        assertEquals(signer.clientId(), claims.path("azp").asText(), claims::toString);
        assertEquals(union(DEFAULT_TOKEN_SCOPES, SERVER_SCOPE), words(claims.path("scope").asText()), claims::toString);
        assertNull(tokens.refreshToken(), tokens::describe);
    }

    @Test
    void aClientAllowedTwoServersGetsOneTokenPerServerWithThatServersScopes() {
        String both = SERVER_SCOPE + " " + MAIL_SCOPE;
        TokenResponse files = clientCredentials(reporter).resource(SERVER).set("scope", both).send();
        TokenResponse mail = clientCredentials(reporter).resource(MAIL).set("scope", both).send();

        assertEquals(200, files.status(), files::describe);
        assertEquals(200, mail.status(), mail::describe);
        assertEquals(List.of(SERVER), files.audience(), files::describe);
        assertEquals(List.of(MAIL), mail.audience(), mail::describe);
        assertEquals(union(DEFAULT_TOKEN_SCOPES, SERVER_SCOPE), words(files.accessTokenClaims().path("scope").asText()));
        assertEquals(union(DEFAULT_TOKEN_SCOPES, MAIL_SCOPE), words(mail.accessTokenClaims().path("scope").asText()));
    }

    @Test
    void aServerTokenComesWithoutRefreshTokenEvenWhenTheClientTurnedThemOn() {
        // reporter has "use refresh tokens for client credentials grant" on: Keycloak's own token gets one ...
        TokenResponse unbound = clientCredentials(reporter).send();
        assertEquals(200, unbound.status(), unbound::describe);
        assertTrue(unbound.refreshToken() != null, "the client setting is on: " + unbound.describe());

        // ... a token for a server does not: a refresh would skip the check of the server's machine clients.
        TokenResponse files = clientCredentials(reporter).resource(SERVER).send();
        assertEquals(200, files.status(), files::describe);
        assertNull(files.refreshToken(), files::describe);
    }

    @Test
    void equivalentSpellingOfTheResourceGivesTheStoredUri() {
        TokenResponse tokens = clientCredentials(batch).resource("HTTPS://Files.Example.com:443/mcp/").send();

        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(SERVER), tokens.audience(), tokens::describe);
    }

    @Test
    void withoutResourceTheTokenNamesNoMcpServer() {
        TokenResponse tokens = clientCredentials(batch).set("scope", SERVER_SCOPE).send();

        assertEquals(200, tokens.status(), tokens::describe);
        assertFalse(tokens.audience().contains(SERVER), tokens::describe);
        assertFalse(tokens.audience().contains(MAIL), tokens::describe);
    }

    // --- refusals -------------------------------------------------------------------------------------------------

    @Test
    void anotherServerIsInvalidTarget() {
        assertRefused(clientCredentials(batch).resource(MAIL).send(), 400, "invalid_target",
                "Client " + batch.clientId() + " may not get tokens for MCP server " + MAIL
                        + " with the client credentials grant: it is not one of the server's machine clients");
    }

    @Test
    void anUnknownResourceIsInvalidTarget() {
        assertRefused(clientCredentials(batch).resource("https://unknown.example.com/mcp").send(), 400, "invalid_target",
                "Unknown resource: https://unknown.example.com/mcp is not an MCP server registered in this realm");
    }

    @Test
    void aMalformedResourceIsInvalidTarget() {
        TokenResponse refused = clientCredentials(batch).resource("https://files.example.com/mcp#x").send();
        assertRefused(refused, 400, "invalid_target", null);
        assertTrue(refused.errorDescription().startsWith("Invalid resource: "), refused::describe);
    }

    @Test
    void aRepeatedResourceIsInvalidTarget() {
        assertRefused(clientCredentials(batch).resource(SERVER, SERVER).send(), 400, "invalid_target",
                "Invalid resource: the resource parameter must be sent at most once");
    }

    @Test
    void aClientListedOnNoServerIsInvalidTargetAndAnEvent() {
        String description = "Client " + stranger.clientId() + " may not get tokens for MCP server " + SERVER
                + " with the client credentials grant: it is not one of the server's machine clients";
        assertRefused(clientCredentials(stranger).resource(SERVER).send(), 400, "invalid_target", description);

        JsonNode recorded = null;
        for (JsonNode event : realm.admin().events(realm.name(), "CLIENT_LOGIN_ERROR")) {
            if (stranger.clientId().equals(event.path("clientId").asText())) {
                recorded = event;
            }
        }
        assertTrue(recorded != null, "no CLIENT_LOGIN_ERROR event for " + stranger.clientId());
        assertEquals("invalid_target", recorded.path("error").asText(), recorded::toString);
        assertEquals(description, recorded.path("details").path("reason").asText(), recorded::toString);
    }

    @Test
    void aServerScopeTheClientDoesNotHaveIsInvalidScope() {
        assertRefused(clientCredentials(narrow).resource(SERVER).set("scope", SERVER_SCOPE).send(), 400, "invalid_scope",
                "Invalid scopes: " + SERVER_SCOPE);
    }

    @Test
    void aPublicClientIsUnauthorizedClientEvenWhenListed() {
        assertRefused(clientCredentials(publicClient).resource(SERVER).send(), 401, "unauthorized_client",
                "Public client not allowed to retrieve service account");
    }

    @Test
    void aDynamicClientIsRefusedEvenWhenListed() {
        String redirectUri = "https://app.example.com/callback";
        ClientRegistration.Registered registered = realm.registerOrFail(
                ClientRegistration.webMetadata("Dynamic machine", redirectUri, "client_secret_basic"));
        McpClient dynamic = registered.client(redirectUri, ClientAuthentication.secretBasic(registered.clientSecret()));
        List<String> listed = new ArrayList<>(List.of(batch.clientId(), signer.clientId(), reporter.clientId(),
                narrow.clientId(), publicClient.clientId(), dynamic.clientId()));
        setMachineClients(SERVER, listed);
        try {
            // Dynamic clients have no service account: Keycloak refuses the grant itself.
            assertRefused(clientCredentials(dynamic).resource(SERVER).send(), 401, "unauthorized_client",
                    "Client not enabled to retrieve service account");

            // Even when an admin turns the service account on, a client that registered itself gets no server token.
            String id = realm.admin().clientByClientId(realm.name(), dynamic.clientId()).path("id").asText();
            AdminApi.expect(realm.admin().put("/admin/realms/" + realm.name() + "/clients/" + id,
                    Map.of("id", id, "clientId", dynamic.clientId(), "serviceAccountsEnabled", true)), 204);
            assertTrue(realm.admin().clientByClientId(realm.name(), dynamic.clientId()).path("serviceAccountsEnabled").asBoolean(),
                    "service account on");
            assertRefused(clientCredentials(dynamic).resource(SERVER).send(), 400, "invalid_target",
                    "Client " + dynamic.clientId() + " registered itself; only a client an admin created can get "
                            + "tokens for an MCP server with the client credentials grant");
        } finally {
            listed.remove(dynamic.clientId());
            setMachineClients(SERVER, listed);
        }
    }

    @Test
    void removingTheClientFromTheServerTakesEffectOnTheNextRequest() {
        String secret = secret();
        McpClient temporary = McpClient.of(realm.issuer(), secretClient("temporary", secret, List.of(SERVER_SCOPE)),
                null, ClientAuthentication.secretBasic(secret));
        setMachineClients(MAIL, List.of(reporter.clientId(), temporary.clientId()));
        TokenResponse before = clientCredentials(temporary).resource(MAIL).send();
        assertEquals(200, before.status(), before::describe);
        assertEquals(List.of(MAIL), before.audience(), before::describe);

        setMachineClients(MAIL, List.of(reporter.clientId()));

        assertRefused(clientCredentials(temporary).resource(MAIL).send(), 400, "invalid_target",
                "Client " + temporary.clientId() + " may not get tokens for MCP server " + MAIL
                        + " with the client credentials grant: it is not one of the server's machine clients");
    }

    // --- metadata and the admin API -------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"openid-configuration", "oauth-authorization-server"})
    void metadataListsTheClientAuthenticationMethodsOfTheExtension(String document) {
        String url = document.equals("openid-configuration")
                ? realm.issuer() + "/.well-known/openid-configuration"
                : keycloak.baseUrl() + "/.well-known/oauth-authorization-server/realms/" + realm.name();
        HttpResult result = Http.get(url, null);
        assertEquals(200, result.status(), result::describe);
        List<String> methods = texts(result.json().path("token_endpoint_auth_methods_supported"));
        assertTrue(methods.contains("private_key_jwt") && methods.contains("client_secret_basic"), methods::toString);
        List<String> algorithms = texts(result.json().path("token_endpoint_auth_signing_alg_values_supported"));
        assertTrue(algorithms.contains("RS256"), algorithms::toString);
        assertTrue(texts(result.json().path("grant_types_supported")).contains("client_credentials"), result::describe);
    }

    @Test
    void theAdminApiShowsAndValidatesTheList() {
        JsonNode files = server(SERVER);
        assertEquals(Set.of(batch.clientId(), signer.clientId(), reporter.clientId(), narrow.clientId(),
                publicClient.clientId()), Set.copyOf(texts(files.path("machineClients"))), files::toString);
        assertEquals(texts(files.path("machineClients")).stream().sorted().toList(), texts(files.path("machineClients")),
                "stored sorted: " + files);

        String id = files.path("id").asText();
        HttpResult blank = realm.admin().updateServer(realm.name(), id, Map.of("machineClients", List.of("two words")));
        assertEquals(400, blank.status(), blank::describe);
        assertEquals("invalid_request", blank.json().path("error").asText(), blank::describe);
        assertEquals("Machine client ID 'two?words' contains whitespace or control characters",
                blank.json().path("error_description").asText(), blank::describe);
        HttpResult notAList = realm.admin().updateServer(realm.name(), id, Map.of("machineClients", "batch"));
        assertEquals(400, notAList.status(), notAList::describe);
        assertEquals("machineClients must be a list of strings", notAList.json().path("error_description").asText());
        assertEquals(texts(files.path("machineClients")), texts(server(SERVER).path("machineClients")), "unchanged");
    }

    @Test
    void theBatchEndpointStoresMachineClients() {
        String resource = "https://batch-" + Long.toString(System.nanoTime(), 36) + ".example.com/mcp";
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("resource", resource);
        entry.put("machineClients", List.of(" " + batch.clientId() + " ", batch.clientId()));
        HttpResult created = realm.admin().post("/admin/realms/" + realm.name() + "/mcp-authz/servers/batch", List.of(entry));
        assertEquals(201, created.status(), created::describe);
        assertEquals(List.of(batch.clientId()), texts(created.json().get(0).path("machineClients")), created::describe);

        TokenResponse tokens = clientCredentials(batch).resource(resource).send();
        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(List.of(resource), tokens.audience(), tokens::describe);

        HttpResult refused = realm.admin().post("/admin/realms/" + realm.name() + "/mcp-authz/servers/batch",
                List.of(Map.of("resource", "https://other-" + resource.substring(8), "machineClients", List.of("a\tb"))));
        assertEquals(400, refused.status(), refused::describe);
        assertTrue(refused.json().path("error_description").asText().startsWith("entry 0: Machine client ID"), refused::describe);
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    private static TokenRequest clientCredentials(McpClient client) {
        return client.tokenRequest().set("grant_type", "client_credentials");
    }

    static void assertRefused(TokenResponse response, int status, String error, String description) {
        assertEquals(status, response.status(), response::describe);
        assertEquals(error, response.error(), response::describe);
        if (description != null) {
            assertEquals(description, response.errorDescription(), response::describe);
        }
        assertNull(response.accessToken(), response::describe);
    }

    private static String secretClient(String prefix, String secret, List<String> optionalScopes) {
        return secretClient(prefix, secret, optionalScopes, Map.of());
    }

    private static String secretClient(String prefix, String secret, List<String> optionalScopes, Map<String, String> attributes) {
        Map<String, Object> client = baseClient(prefix, optionalScopes);
        client.put("attributes", attributes);
        client.put("clientAuthenticatorType", "client-secret");
        client.put("secret", secret);
        realm.admin().createClient(realm.name(), client);
        return (String) client.get("clientId");
    }

    /** A private_key_jwt client: its public key as a JWKS value on the client, RS256 assertions. */
    private static String jwtClient(String prefix, ClientKey key) {
        Map<String, Object> client = baseClient(prefix, List.of(SERVER_SCOPE, MAIL_SCOPE));
        client.put("clientAuthenticatorType", "client-jwt");
        client.put("attributes", Map.of("use.jwks.url", "false", "use.jwks.string", "true",
                "jwks.string", Json.write(key.jwks()), "token.endpoint.auth.signing.alg", "RS256"));
        realm.admin().createClient(realm.name(), client);
        return (String) client.get("clientId");
    }

    private static Map<String, Object> baseClient(String prefix, List<String> optionalScopes) {
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", prefix + "-" + Long.toString(System.nanoTime(), 36));
        client.put("protocol", "openid-connect");
        client.put("publicClient", false);
        client.put("standardFlowEnabled", false);
        client.put("directAccessGrantsEnabled", false);
        client.put("serviceAccountsEnabled", true);
        client.put("defaultClientScopes", DEFAULT_SCOPES);
        client.put("optionalClientScopes", optionalScopes);
        return client;
    }

    private static String publicClient(String prefix) {
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", prefix + "-" + Long.toString(System.nanoTime(), 36));
        client.put("protocol", "openid-connect");
        client.put("publicClient", true);
        client.put("standardFlowEnabled", false);
        client.put("directAccessGrantsEnabled", false);
        client.put("defaultClientScopes", DEFAULT_SCOPES);
        client.put("optionalClientScopes", List.of(SERVER_SCOPE));
        realm.admin().createClient(realm.name(), client);
        return (String) client.get("clientId");
    }

    private static void setMachineClients(String resource, List<String> clientIds) {
        String id = server(resource).path("id").asText();
        JsonNode stored = AdminApi.expect(realm.admin().updateServer(realm.name(), id,
                Map.of("machineClients", clientIds)), 200).json();
        assertEquals(clientIds.stream().sorted().toList(), texts(stored.path("machineClients")), stored::toString);
    }

    private static JsonNode server(String resource) {
        for (JsonNode server : AdminApi.expect(realm.admin().listServers(realm.name()), 200).json()) {
            if (resource.equals(server.path("resource").asText())) {
                return server;
            }
        }
        throw new AssertionError("no server " + resource);
    }

    private static String secret() {
        return java.util.UUID.randomUUID().toString();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(value -> out.add(value.asText()));
        return out;
    }

    private static Set<String> words(String scope) {
        return new TreeSet<>(List.of(scope.trim().split(" +")));
    }

    private static Set<String> union(Set<String> scopes, String extra) {
        Set<String> out = new TreeSet<>(scopes);
        out.add(extra);
        return out;
    }
}
