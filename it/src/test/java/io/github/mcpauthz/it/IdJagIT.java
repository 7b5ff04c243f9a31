package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.AssertionSigner;
import io.github.mcpauthz.it.support.Http;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.McpTestRealm;
import io.github.mcpauthz.it.support.TokenResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.github.mcpauthz.it.support.McpTestRealm.SERVER;
import static io.github.mcpauthz.it.support.McpTestRealm.SERVER_SCOPE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Enterprise-managed authorization (MCP extension, ID-JAG): the jwt-bearer grant with an identity assertion JWT
 * authorization grant signed by a trusted enterprise identity provider. The provider is a local signer
 * ({@link AssertionSigner}); the realm trusts it through a Keycloak identity provider of type
 * {@code jwt-authorization-grant} (issuer {@link #IDP_ISSUER}, its JWKS), and the confidential client {@code agent-*}
 * is allowed to use it (Keycloak's client settings). The user is linked to the provider on {@code sub}.
 * Keycloak's experimental features are off in the features-off run.
 */
@KeycloakIT
class IdJagIT {

    static final String JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    static final String ID_JAG_TYP = "oauth-id-jag+jwt";
    static final String IDP_ISSUER = "https://idp.example.com";
    static final String IDP_ALIAS = "corp-idp";
    static final String IDP_SUBJECT = "00u-carol";
    static final String PROFILE = "urn:ietf:params:oauth:grant-profile:id-jag";

    private static KeycloakEnvironment keycloak;
    private static McpTestRealm realm;
    private static AssertionSigner idp;
    private static McpClient agent;
    private static McpClient otherAgent;
    private static String userId;

    @BeforeAll
    static void createRealm(KeycloakEnvironment environment) {
        keycloak = environment;
        realm = McpTestRealm.create(keycloak, "id-jag");
        idp = AssertionSigner.generate();
        AdminApi admin = realm.admin();
        Map<String, Object> provider = new LinkedHashMap<>();
        provider.put("alias", IDP_ALIAS);
        provider.put("providerId", "jwt-authorization-grant");
        provider.put("enabled", true);
        provider.put("config", Map.of("issuer", IDP_ISSUER, "useJwksUrl", "false",
                "publicKeySignatureVerifier", idp.jwksJson()));
        AdminApi.expect(admin.post("/admin/realms/" + realm.name() + "/identity-provider/instances", provider), 201);

        userId = admin.userId(realm.name(), realm.user().username());
        AdminApi.expect(admin.post("/admin/realms/" + realm.name() + "/users/" + userId + "/federated-identity/" + IDP_ALIAS,
                Map.of("identityProvider", IDP_ALIAS, "userId", IDP_SUBJECT, "userName", realm.user().username())), 201, 204);

        agent = confidentialClient("agent", Map.of("oauth2.jwt.authorization.grant.enabled", "true",
                "oauth2.jwt.authorization.grant.idp", IDP_ALIAS));
        otherAgent = confidentialClient("other-agent", Map.of("oauth2.jwt.authorization.grant.enabled", "true"));
    }

    @AfterAll
    static void deleteRealm() {
        McpTestRealm.close(realm);
    }

    private static McpClient confidentialClient(String prefix, Map<String, String> attributes) {
        String clientId = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        String secret = UUID.randomUUID().toString();
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", clientId);
        client.put("protocol", "openid-connect");
        client.put("publicClient", false);
        client.put("clientAuthenticatorType", "client-secret");
        client.put("secret", secret);
        client.put("standardFlowEnabled", false);
        client.put("directAccessGrantsEnabled", false);
        client.put("attributes", attributes);
        client.put("defaultClientScopes", List.of("basic", "profile", "email", "roles", "web-origins", "acr"));
        client.put("optionalClientScopes", List.of(SERVER_SCOPE));
        realm.admin().createClient(realm.name(), client);
        return McpClient.preRegistered(realm.issuer(), clientId, secret, null);
    }

    /** The claims of a valid ID-JAG for {@code agent}, the user and the files server. */
    private static Map<String, Object> claims() {
        long now = System.currentTimeMillis() / 1000;
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", IDP_ISSUER);
        claims.put("sub", IDP_SUBJECT);
        claims.put("aud", realm.issuer());
        claims.put("resource", SERVER);
        claims.put("client_id", agent.clientId());
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("iat", now);
        claims.put("exp", now + 120);
        claims.put("scope", SERVER_SCOPE);
        return claims;
    }

    private static TokenResponse grant(McpClient client, String assertion, String scope) {
        var request = client.tokenRequest().set("grant_type", JWT_BEARER).set("assertion", assertion);
        if (scope != null) {
            request.set("scope", scope);
        }
        return request.send();
    }

    @Test
    void anIdJagFromTheTrustedProviderGivesATokenForTheServer() {
        TokenResponse tokens = grant(agent, idp.sign(ID_JAG_TYP, claims()), null);

        assertEquals(200, tokens.status(), tokens::describe);
        JsonNode claims = tokens.accessTokenClaims();
        assertEquals(List.of(SERVER), tokens.audience(), claims::toString);
        assertEquals(userId, claims.path("sub").asText(), claims::toString);
        assertEquals(agent.clientId(), claims.path("azp").asText(), claims::toString);
        assertEquals(SERVER_SCOPE, claims.path("scope").asText(), claims::toString);
        assertNull(tokens.refreshToken(), tokens::describe);
    }

    @Test
    void theAuthorizationServerMetadataListsTheIdJagProfile() {
        JsonNode metadata = get("/.well-known/oauth-authorization-server/realms/" + realm.name());
        assertEquals(List.of(PROFILE), list(metadata.path("authorization_grant_profiles_supported")), metadata::toString);
        assertTrue(list(metadata.path("grant_types_supported")).contains(JWT_BEARER), metadata::toString);
        // An MCP realm that trusts no identity provider for JWT grants does not list it. (The sample realm trusts
        // its demo enterprise IdP, so a realm of this test's own.)
        McpTestRealm withoutProvider = McpTestRealm.create(keycloak, "no-id-jag");
        try {
            JsonNode other = get("/.well-known/oauth-authorization-server/realms/" + withoutProvider.name());
            assertTrue(other.path("authorization_grant_profiles_supported").isMissingNode(), other::toString);
        } finally {
            McpTestRealm.close(withoutProvider);
        }
    }

    @Test
    void aWrongTypIsInvalidGrant() {
        assertRefused(grant(agent, idp.sign("JWT", claims()), null), "invalid_grant",
                "The assertion's typ header must be oauth-id-jag+jwt, not JWT");
        assertRefused(grant(agent, idp.sign(null, claims()), null), "invalid_grant",
                "The assertion's typ header must be oauth-id-jag+jwt, not absent");
    }

    @Test
    void anUnknownIssuerIsInvalidGrant() {
        Map<String, Object> claims = claims();
        claims.put("iss", "https://other-idp.example.com");

        assertRefused(grant(agent, idp.sign(ID_JAG_TYP, claims), null), "invalid_grant",
                "Unknown issuer: https://other-idp.example.com is not an identity provider this realm trusts");
    }

    @Test
    void aReplayedJtiIsInvalidGrant() {
        String assertion = idp.sign(ID_JAG_TYP, claims());
        TokenResponse first = grant(agent, assertion, null);
        assertEquals(200, first.status(), first::describe);

        assertRefused(grant(agent, assertion, null), "invalid_grant", "Token reuse detected");
    }

    @Test
    void aResourceThatIsNotARegisteredServerIsInvalidTarget() {
        Map<String, Object> claims = claims();
        claims.put("resource", "https://unregistered.example.com/mcp");

        assertRefused(grant(agent, idp.sign(ID_JAG_TYP, claims), null), "invalid_target",
                "Unknown resource: https://unregistered.example.com/mcp is not an MCP server registered in this realm");
    }

    @Test
    void aScopeOutsideTheAssertionIsInvalidScope() {
        assertRefused(grant(agent, idp.sign(ID_JAG_TYP, claims()), SERVER_SCOPE + " files:write"), "invalid_scope",
                "Scope files:write is not in the ID-JAG's scope (" + SERVER_SCOPE + ")");
    }

    @Test
    void aRequestedScopeWithinTheAssertionIsGranted() {
        Map<String, Object> claims = claims();
        claims.put("scope", SERVER_SCOPE + " profile");

        TokenResponse tokens = grant(agent, idp.sign(ID_JAG_TYP, claims), SERVER_SCOPE);

        assertEquals(200, tokens.status(), tokens::describe);
        assertEquals(SERVER_SCOPE, tokens.accessTokenClaims().path("scope").asText(), tokens::describe);
    }

    @Test
    void anAssertionForAnotherClientAudienceOrKeyIsInvalidGrant() {
        Map<String, Object> otherClient = claims();
        otherClient.put("client_id", "someone-else");
        assertRefused(grant(agent, idp.sign(ID_JAG_TYP, otherClient), null), "invalid_grant",
                "The ID-JAG's client_id 'someone-else'; it must be the authenticated client " + agent.clientId());

        Map<String, Object> otherAudience = claims();
        otherAudience.put("aud", realm.issuer() + "/protocol/openid-connect/token");
        assertRefused(grant(agent, idp.sign(ID_JAG_TYP, otherAudience), null), "invalid_grant",
                "The ID-JAG's aud must be exactly this authorization server's issuer");

        assertRefused(grant(agent, AssertionSigner.generate().sign(ID_JAG_TYP, claims()), null), "invalid_grant", "");
    }

    @Test
    void aClientNotAllowedToUseTheProviderIsUnauthorized() {
        Map<String, Object> claims = claims();
        claims.put("client_id", otherAgent.clientId());

        assertRefused(grant(otherAgent, idp.sign(ID_JAG_TYP, claims), null), "unauthorized_client",
                "Client " + otherAgent.clientId() + " is not allowed to use JWT authorization grants from identity provider " + IDP_ALIAS);
    }

    @Test
    void aSignedIdJagStaysUsableAfterARefusalThatNeedsNoKey() {
        // Refused before the signature is checked: the jti is not stored, the same assertion works after.
        Map<String, Object> claims = claims();
        String assertion = idp.sign(ID_JAG_TYP, claims);
        assertRefused(grant(agent, assertion, "files:write"), "invalid_scope", "Scope files:write");

        TokenResponse tokens = grant(agent, assertion, null);
        assertEquals(200, tokens.status(), tokens::describe);
    }

    private static JsonNode get(String path) {
        HttpResult result = Http.get(keycloak.baseUrl() + path, null);
        assertEquals(200, result.status(), result::describe);
        return result.json();
    }

    private static List<String> list(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    static void assertRefused(TokenResponse response, String error, String descriptionStart) {
        assertEquals(400, response.status(), response::describe);
        assertEquals(error, response.error(), response::describe);
        assertTrue(response.errorDescription() != null && response.errorDescription().startsWith(descriptionStart),
                response::describe);
        assertNull(response.accessToken(), response::describe);
        assertFalse(response.json().has("refresh_token"), response::describe);
    }
}
