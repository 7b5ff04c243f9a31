package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AuthorizationResponse;
import io.github.mcpauthz.it.support.ClientKind;
import io.github.mcpauthz.it.support.Http;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.KeycloakVersions;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.SampleRealm;
import io.github.mcpauthz.it.support.TokenResponse;
import io.github.mcpauthz.it.support.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plain OAuth flow an MCP client runs, with no {@code resource} at all: proves that Keycloak runs with the
 * provider jar and the sample realm, and that the test harness (registration, browser login, consent, code exchange,
 * refresh) works. Holds with or without the extension's audience feature, and on every Keycloak version the jar is
 * started on, also where the extension is inactive (it then proves that the jar leaves Keycloak's flows working).
 */
@KeycloakIT(alsoWhenInactive = true)
class LoginFlowIT {

    private static KeycloakEnvironment keycloak;
    private static Map<ClientKind, McpClient> clients;

    @BeforeAll
    static void createClients(KeycloakEnvironment environment) {
        keycloak = environment;
        clients = ClientKind.createAll(keycloak, SampleRealm.NAME, null);
    }

    @Test
    void metadataNamesTheEndpointsAndTheIssuerTheFlowUses() {
        HttpResult result = Http.get(keycloak.issuer() + "/.well-known/openid-configuration", null);
        assertEquals(200, result.status(), result::describe);
        JsonNode metadata = result.json();
        String issuer = keycloak.issuer();
        assertEquals(issuer, metadata.path("issuer").asText());
        assertEquals(issuer + "/protocol/openid-connect/auth", metadata.path("authorization_endpoint").asText());
        assertEquals(issuer + "/protocol/openid-connect/token", metadata.path("token_endpoint").asText());
        assertEquals(issuer + "/clients-registrations/openid-connect", metadata.path("registration_endpoint").asText());
        assertTrue(metadata.path("code_challenge_methods_supported").toString().contains("\"S256\""),
                metadata::toString);
        assertTrue(metadata.path("authorization_response_iss_parameter_supported").asBoolean(), metadata::toString);
    }

    @Test
    void rfc8414MetadataIsServedWherePathInsertingClientsLook() {
        HttpResult result = Http.get(keycloak.baseUrl() + "/.well-known/oauth-authorization-server/realms/"
                + SampleRealm.NAME, null);
        assertEquals(200, result.status(), result::describe);
        assertEquals(keycloak.issuer(), result.json().path("issuer").asText());
    }

    /** The cimd feature shows in metadata, so this tells whether the variant's --features took effect. */
    @Test
    void experimentalFeaturesAreAsTheVariantAsksFor() {
        // A realm without MCP support shows Keycloak's own discovery document, where the flag follows the cimd feature.
        JsonNode metadata = Http.get(keycloak.issuer("master") + "/.well-known/openid-configuration", null).json();
        assertEquals(keycloak.featureEnabled("cimd"),
                metadata.path("client_id_metadata_document_supported").asBoolean(false),
                () -> keycloak + ": " + metadata);
    }

    /**
     * Keycloak's own account of its features (admin server info) matches the variant: in the features-on execution
     * resource-indicators and cimd are really on, in features-off really off. Keycloak releases before 26.6.0 do not
     * have these features at all, so there they must be absent from server info (and no variant may ask for them).
     */
    @Test
    void serverInfoReportsTheVariantsExperimentalFeatures() {
        HttpResult info = keycloak.admin().get("/admin/serverinfo");
        assertEquals(200, info.status(), info::describe);
        for (String feature : List.of("resource-indicators", "cimd")) {
            String name = feature.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
            JsonNode reported = null;
            for (JsonNode candidate : info.json().path("features")) {
                if (name.equals(candidate.path("name").asText())) {
                    reported = candidate;
                }
            }
            if (!KeycloakVersions.atLeast(keycloak.keycloakVersion(), KeycloakVersions.EXPERIMENTAL_MCP_FEATURES_SINCE)) {
                assertNull(reported, () -> "Keycloak " + keycloak.keycloakVersion() + " reports a feature " + name);
                assertEquals(false, keycloak.featureEnabled(feature), keycloak + " cannot enable " + feature);
                continue;
            }
            assertNotNull(reported, () -> "no feature " + name + " in server info");
            assertEquals(keycloak.featureEnabled(feature), reported.path("enabled").asBoolean(),
                    keycloak + ": " + reported);
        }
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void aliceGetsCodeTokensAndRefreshWithoutResource(ClientKind kind) {
        McpClient client = clients.get(kind);
        AuthorizationResponse authorization = client.authorize(client.authorizationRequest(), User.ALICE);

        assertNotNull(authorization.code(), authorization::describe);
        assertNull(authorization.error(), authorization::describe);
        assertEquals(authorization.request().state(), authorization.state());
        assertEquals(keycloak.issuer(), authorization.iss());

        TokenResponse tokens = client.exchange(authorization);
        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals("Bearer", tokens.json().path("token_type").asText());
        JsonNode claims = tokens.accessTokenClaims();
        assertEquals(keycloak.issuer(), claims.path("iss").asText());
        assertEquals(client.clientId(), claims.path("azp").asText());
        assertEquals("alice", claims.path("preferred_username").asText(), claims::toString);
        assertNotNull(tokens.refreshToken(), tokens::describe);

        TokenResponse refreshed = client.refresh(tokens.refreshToken());
        assertEquals(200, refreshed.status(), refreshed::describe);
        assertNotEquals(tokens.accessToken(), refreshed.accessToken());
        assertEquals(client.clientId(), refreshed.accessTokenClaims().path("azp").asText());
    }

    @Test
    void wrongPasswordKeepsTheUserOnTheLoginPage() {
        McpClient client = clients.get(ClientKind.DYNAMIC_PUBLIC);
        AuthorizationResponse authorization = client.authorize(client.authorizationRequest(),
                new User("alice", "not-her-password"));

        assertEquals(false, authorization.redirectedToClient(), authorization::describe);
        assertEquals(200, authorization.pageStatus(), authorization::describe);
        assertTrue(authorization.pageText().contains("login failed"), authorization::describe);
    }
}
