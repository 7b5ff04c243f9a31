package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.CimdRealm;
import io.github.mcpauthz.it.support.Http;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.SampleRealm;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * MCP clients use CIMD only when the authorization server's metadata says {@code client_id_metadata_document_supported:
 * true} and lists {@code none} among the token endpoint auth methods; an MCP realm says so at both metadata addresses
 * MCP clients look at, and its client profile {@code mcp} carries the CIMD executor.
 */
@KeycloakIT
class CimdDiscoveryIT {

    private static KeycloakEnvironment keycloak;

    @BeforeAll
    static void keycloak(KeycloakEnvironment environment) {
        keycloak = environment;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"openid-configuration", "oauth-authorization-server"})
    void mcpRealmAdvertisesClientIdMetadataDocuments(String document) {
        JsonNode metadata = metadata(SampleRealm.NAME, document);
        String relevant = relevant(metadata);

        assertTrue(metadata.path("client_id_metadata_document_supported").isBoolean(), relevant);
        assertTrue(metadata.path("client_id_metadata_document_supported").asBoolean(), relevant);
        assertTrue(texts(metadata.path("token_endpoint_auth_methods_supported")).contains("none"),
                () -> "token_endpoint_auth_methods_supported lacks none: " + relevant);
        assertTrue(texts(metadata.path("code_challenge_methods_supported")).contains("S256"), relevant);
    }

    @Test
    void mcpProfileCarriesTheCimdExecutor(AdminApi admin) {
        HttpResult result = admin.get("/admin/realms/" + SampleRealm.NAME + "/client-policies/profiles");
        assertEquals(200, result.status(), result::describe);

        JsonNode executor = null;
        for (JsonNode profile : result.json().path("profiles")) {
            if (CimdRealm.PROFILE.equals(profile.path("name").asText())) {
                for (JsonNode candidate : profile.path("executors")) {
                    if (CimdRealm.EXECUTOR.equals(candidate.path("executor").asText())) {
                        executor = candidate;
                    }
                }
            }
        }
        if (executor == null) {
            fail("no executor " + CimdRealm.EXECUTOR + " in profile " + CimdRealm.PROFILE + ": " + result.body());
        }
        JsonNode configuration = executor.path("configuration");
        // The documented defaults, where the stored configuration spells them out.
        Map<String, String> defaults = Map.of(
                "trust-policy", "open",
                "allow-http", "false",
                "min-cache-seconds", "300",
                "max-cache-seconds", "86400",
                "connect-timeout-ms", "2000",
                "read-timeout-ms", "3000",
                "max-document-bytes", "5120");
        defaults.forEach((key, value) -> {
            JsonNode stored = configuration.path(key);
            if (!stored.isMissingNode() && !stored.isNull()) {
                assertEquals(value, stored.isArray() && stored.size() == 1 ? stored.get(0).asText() : stored.asText(),
                        () -> key + " in " + configuration);
            }
        });
        for (String list : List.of("allowed-domains", "denied-domains", "allowed-address-ranges")) {
            JsonNode stored = configuration.path(list);
            assertTrue(stored.isMissingNode() || stored.isNull() || stored.isEmpty()
                            || stored.isTextual() && stored.asText().isEmpty(),
                    () -> list + " must be empty by default: " + configuration);
        }
    }

    /** A realm without MCP support is left as stock Keycloak has it; with Keycloak's own cimd feature that differs. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"openid-configuration", "oauth-authorization-server"})
    void realmWithoutMcpDoesNotAdvertiseIt(String document, AdminApi admin) {
        Assumptions.assumeFalse(keycloak.featureEnabled("cimd"),
                "with Keycloak's cimd feature on, Keycloak itself advertises CIMD in every realm");
        String realm = "no-mcp-" + Long.toString(System.nanoTime(), 36);
        admin.createRealm(realm);
        try {
            JsonNode metadata = metadata(realm, document);
            assertFalse(metadata.path("client_id_metadata_document_supported").asBoolean(false), relevant(metadata));
        } finally {
            admin.deleteRealm(realm);
        }
    }

    private static JsonNode metadata(String realm, String document) {
        String url = document.equals("openid-configuration")
                ? keycloak.issuer(realm) + "/.well-known/openid-configuration"
                : keycloak.baseUrl() + "/.well-known/oauth-authorization-server/realms/" + realm;
        HttpResult result = Http.get(url, null);
        assertEquals(200, result.status(), result::describe);
        return result.json();
    }

    /** The fields this class is about, for failure messages (the whole document is 6 KB). */
    private static String relevant(JsonNode metadata) {
        StringBuilder text = new StringBuilder("issuer=" + metadata.path("issuer"));
        for (String field : List.of("client_id_metadata_document_supported", "token_endpoint_auth_methods_supported",
                "code_challenge_methods_supported")) {
            text.append(", ").append(field).append('=').append(metadata.has(field) ? metadata.get(field) : "(absent)");
        }
        return text.toString();
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
