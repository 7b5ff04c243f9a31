package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.ClientKey;
import io.github.mcpauthz.it.support.ClientRegistration;
import io.github.mcpauthz.it.support.ClientRegistration.Registered;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpTestRealm;
import io.github.mcpauthz.it.support.RegistrationEvents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an attacker tries through open registration is refused with a 400 and the RFC 7591 code, nothing is created,
 * and an RFC 7592 update with the same change leaves the client as it was: URL fields Keycloak would fetch or POST to
 * ({@code request_uris}, {@code sector_identifier_uri} with {@code pairwise}, {@code backchannel_logout_uri},
 * {@code jwks_uri}, ...), malformed inline {@code jwks} (never a 500), {@code none} algorithms, invisible names,
 * redirect URIs with OS-handler schemes, invalid ports, IPv6 zone ids, link-local hosts or dot segments.
 */
@KeycloakIT
class RegistrationHardeningIT {

    private static final String REDIRECT = "http://127.0.0.1:33418/callback";

    private static KeycloakEnvironment keycloak;
    private static McpTestRealm realm;
    private static AdminApi admin;

    @BeforeAll
    static void createRealm(KeycloakEnvironment environment) {
        keycloak = environment;
        realm = McpTestRealm.create(keycloak, "dcr-hardening").withoutAnonymousRateLimit();
        admin = realm.admin();
    }

    @AfterAll
    static void deleteRealm() {
        McpTestRealm.close(realm);
    }

    static Stream<Arguments> refused() {
        Map<String, Object> malformedRsa = new LinkedHashMap<>(ClientKey.generateRsa().publicJwk());
        malformedRsa.put("n", "not-base64-!!!");
        Map<String, Object> privateRsa = new LinkedHashMap<>(ClientKey.generateRsa().publicJwk());
        privateRsa.put("d", "AQAB");
        return Stream.of(
                metadata("request_uris", m -> m.put("request_uris", List.of("https://attacker.example/*"))),
                metadata("sector_identifier_uri with pairwise", m -> {
                    m.put("subject_type", "pairwise");
                    m.put("sector_identifier_uri", "https://127.0.0.1:9/sector");
                }),
                metadata("pairwise subject_type", m -> m.put("subject_type", "pairwise")),
                metadata("backchannel_logout_uri", m -> m.put("backchannel_logout_uri", "https://127.0.0.1:9/logout")),
                metadata("frontchannel_logout_uri", m -> m.put("frontchannel_logout_uri", "https://app.example.com/logout")),
                metadata("initiate_login_uri", m -> m.put("initiate_login_uri", "https://app.example.com/login")),
                metadata("CIBA notification endpoint", m -> m.put("backchannel_client_notification_endpoint", "https://127.0.0.1:9/n")),
                metadata("jwks_uri with private_key_jwt", m -> web(m, "private_key_jwt").put("jwks_uri", "https://127.0.0.1:9/jwks")),
                metadata("jwks_uri without private_key_jwt", m -> m.put("jwks_uri", "https://app.example.com/jwks")),
                metadata("private_key_jwt without jwks", m -> web(m, "private_key_jwt")),
                metadata("jwks with a malformed modulus", m -> web(m, "private_key_jwt").put("jwks", Map.of("keys", List.of(malformedRsa)))),
                metadata("jwks with a private key", m -> web(m, "private_key_jwt").put("jwks", Map.of("keys", List.of(privateRsa)))),
                metadata("jwks that is not a key set", m -> web(m, "private_key_jwt").put("jwks", Map.of("keys", "x"))),
                metadata("jwks with an unknown kty", m -> web(m, "private_key_jwt").put("jwks",
                        Map.of("keys", List.of(Map.of("kty", "XYZ", "use", "sig"))))),
                metadata("jwks on a public client", m -> m.put("jwks", ClientKey.generateRsa().jwks())),
                metadata("id_token_signed_response_alg none", m -> m.put("id_token_signed_response_alg", "none")),
                metadata("userinfo_signed_response_alg none", m -> m.put("userinfo_signed_response_alg", "none")),
                metadata("request_object_signing_alg none", m -> m.put("request_object_signing_alg", "none")),
                metadata("authorization_signed_response_alg none", m -> m.put("authorization_signed_response_alg", "none")),
                metadata("client_name of zero-width characters", m -> m.put("client_name", "\u200b\u200c\u200d\u2060")),
                metadata("client_name of Hangul fillers", m -> m.put("client_name", "\u3164\u3164")),
                redirect("ms-msdt scheme", "ms-msdt:/id%20PCWDiagnostic"),
                redirect("search-ms scheme", "search-ms:query=x"),
                redirect("ms-officecmd scheme", "ms-officecmd:%7B%7D"),
                redirect("ms-settings scheme", "ms-settings:privacy"),
                redirect("microsoft-edge scheme", "microsoft-edge:https://attacker.example"),
                redirect("jnlp scheme", "jnlp://attacker.example/app.jnlp"),
                redirect("itms-services scheme", "itms-services://?action=download-manifest"),
                redirect("shell scheme", "shell:startup"),
                redirect("x-javascript scheme", "x-javascript:alert(1)"),
                redirect("livescript scheme", "livescript:alert(1)"),
                redirect("single-word scheme off the list", "myapp://callback"),
                redirect("port 99999", "http://127.0.0.1:99999/callback"),
                redirect("port 0", "https://app.example.com:0/callback"),
                redirect("IPv6 zone id", "http://[fe80::1%25eth0]/callback"),
                redirect("link-local host", "https://169.254.169.254/callback"),
                redirect("link-local IPv6 host", "https://[fe80::1]/callback"),
                redirect("dot segments", "https://app.example.com/a/../callback"),
                redirect("encoded dot segments", "http://127.0.0.1/a/%2e%2e/callback"),
                Arguments.of(Named.of("post_logout_redirect_uris with an OS-handler scheme",
                        (Consumer<Map<String, Object>>) m -> m.put("post_logout_redirect_uris", List.of("ms-settings:privacy"))),
                        "invalid_redirect_uri"));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void registrationIsRefusedAndNothingCreated(Consumer<Map<String, Object>> change, String error) {
        Map<String, Object> metadata = ClientRegistration.sdkMetadata("Hardening", REDIRECT, null);
        change.accept(metadata);
        int before = realm.countClients();

        long sent = System.currentTimeMillis();
        HttpResult result = realm.register(metadata);

        ClientRegistration.assertError(result, 400, error);
        assertEquals(before, realm.countClients(), () -> "a client was created: " + result.describe());
        RegistrationEvents.awaitError(admin, realm.name(), sent, error, result.json().path("error_description").asText());
    }

    @ParameterizedTest
    @MethodSource("refused")
    void updateIsRefusedAndTheClientStaysAsItWas(Consumer<Map<String, Object>> change, String error) {
        Map<String, Object> metadata = ClientRegistration.sdkMetadata("Hardening update", REDIRECT, null);
        Registered registered = realm.registerOrFail(metadata);
        JsonNode before = admin.clientByClientId(realm.name(), registered.clientId());

        Map<String, Object> changed = new LinkedHashMap<>(metadata);
        changed.put("client_id", registered.clientId());
        change.accept(changed);
        HttpResult result = ClientRegistration.update(realm.issuer(), ClientRegistration.OIDC_PROVIDER,
                registered.clientId(), registered.registrationAccessToken(), changed);

        ClientRegistration.assertError(result, 400, error);
        assertEquals(before, admin.clientByClientId(realm.name(), registered.clientId()),
                "the stored client changed although the update was refused");
    }

    @Test
    void descriptionsNameTheRefusedField() {
        Map<String, Object> metadata = ClientRegistration.sdkMetadata("Hardening", REDIRECT, null);
        metadata.put("request_uris", List.of("https://attacker.example/*"));
        HttpResult result = realm.register(metadata);
        ClientRegistration.assertError(result, 400, "invalid_client_metadata");
        assertEquals("request_uris is not accepted for MCP clients", result.json().path("error_description").asText());

        Map<String, Object> keyed = web(ClientRegistration.sdkMetadata("Hardening", REDIRECT, null), "private_key_jwt");
        keyed.put("jwks_uri", "https://127.0.0.1:9/jwks");
        HttpResult jwksUri = realm.register(keyed);
        ClientRegistration.assertError(jwksUri, 400, "invalid_client_metadata");
        assertEquals("jwks_uri is not accepted for MCP clients; send the public keys inline as jwks",
                jwksUri.json().path("error_description").asText());
    }

    @Test
    void reverseDnsAndListedSchemesAreStillAccepted() {
        for (String redirect : List.of("cursor://anysphere.cursor-mcp/oauth/callback", "vscode://vscode.mcp/callback",
                "com.example.mcpapp:/oauth2redirect")) {
            HttpResult result = realm.register(ClientRegistration.sdkMetadata("Native " + redirect, redirect, null));
            assertEquals(201, result.status(), result::describe);
        }
        HttpResult publicSubject = realm.register(with(ClientRegistration.sdkMetadata("Public subject", REDIRECT, null),
                "subject_type", "public"));
        assertEquals(201, publicSubject.status(), publicSubject::describe);
    }

    /** The admin list decides single-word schemes; schemes that start other programs cannot be put on it. */
    @Test
    void singleWordSchemesFollowTheAdminList() {
        try (McpTestRealm own = McpTestRealm.create(keycloak, "dcr-schemes").withoutAnonymousRateLimit()) {
            HttpResult before = own.register(ClientRegistration.sdkMetadata("My app", "myapp://callback", null));
            ClientRegistration.assertError(before, 400, "invalid_redirect_uri");

            own.admin().configureRegistrationPolicy(own.name(), McpTestRealm.DYNAMIC_CLIENT_POLICY, McpTestRealm.ANONYMOUS,
                    Map.of("allowed-single-word-schemes", "myapp"));
            HttpResult after = own.register(ClientRegistration.sdkMetadata("My app", "myapp://callback", null));
            assertEquals(201, after.status(), after::describe);
            HttpResult cursor = own.register(ClientRegistration.sdkMetadata("Cursor",
                    "cursor://anysphere.cursor-mcp/oauth/callback", null));
            ClientRegistration.assertError(cursor, 400, "invalid_redirect_uri");

            ObjectNode component = (ObjectNode) own.admin().registrationPolicy(own.name(),
                    McpTestRealm.DYNAMIC_CLIENT_POLICY, McpTestRealm.ANONYMOUS).deepCopy();
            ((ObjectNode) component.get("config")).putArray("allowed-single-word-schemes").add("ms-msdt");
            HttpResult refused = own.admin().put("/admin/realms/" + own.name() + "/components/"
                    + component.path("id").asText(), component);
            assertEquals(400, refused.status(), refused::describe);
            assertTrue(refused.body().contains("ms-msdt"), refused::describe);
            JsonNode stored = own.admin().registrationPolicy(own.name(), McpTestRealm.DYNAMIC_CLIENT_POLICY, McpTestRealm.ANONYMOUS);
            assertFalse(stored.path("config").path("allowed-single-word-schemes").toString().contains("ms-msdt"), stored::toString);
        }
    }

    private static Arguments metadata(String name, Consumer<Map<String, Object>> change) {
        return Arguments.of(Named.of(name, change), "invalid_client_metadata");
    }

    private static Arguments redirect(String name, String redirectUri) {
        return Arguments.of(Named.of(name + " (" + redirectUri + ")",
                (Consumer<Map<String, Object>>) m -> m.put("redirect_uris", List.of(redirectUri))), "invalid_redirect_uri");
    }

    private static Map<String, Object> web(Map<String, Object> metadata, String authMethod) {
        metadata.put("application_type", "web");
        metadata.put("redirect_uris", List.of("https://app.example.com/cb"));
        metadata.put("token_endpoint_auth_method", authMethod);
        return metadata;
    }

    private static Map<String, Object> with(Map<String, Object> metadata, String field, Object value) {
        metadata.put(field, value);
        return metadata;
    }
}
