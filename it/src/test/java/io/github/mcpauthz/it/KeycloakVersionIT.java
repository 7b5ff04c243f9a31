package io.github.mcpauthz.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AuthorizationResponse;
import io.github.mcpauthz.it.support.ClientRegistration;
import io.github.mcpauthz.it.support.Http;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.KeycloakVersions;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.SampleRealm;
import io.github.mcpauthz.it.support.TokenResponse;
import io.github.mcpauthz.it.support.User;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same jar on every Keycloak version it is started on: active exactly on the supported range (26.4.0 to 26.7.x),
 * with one INFO line naming the capabilities it uses and, on releases before 26.7, the fallback for each one missing;
 * elsewhere inactive with one clear WARN, Keycloak's own behaviour and no HTTP 500. In particular the requests that
 * reached methods 26.4/26.5 lack (consent page of a dynamic client, CORS preflight and DELETE of the registration
 * endpoint) work there.
 */
@KeycloakIT(alsoWhenInactive = true)
class KeycloakVersionIT {

    private static final String WARN_MARKER = "keycloak-mcp-authz is INACTIVE";
    private static final String ACTIVE_MARKER = "keycloak-mcp-authz: Keycloak ";

    private static KeycloakEnvironment keycloak;
    private static boolean expectActive;

    @BeforeAll
    static void version(KeycloakEnvironment environment) {
        keycloak = environment;
        expectActive = KeycloakVersions.supported(keycloak.keycloakVersion());
    }

    @Test
    void extensionIsActiveExactlyInTheSupportedRange() {
        String reason = keycloak.inactiveReason();
        if (expectActive) {
            assertNull(reason, keycloak::toString);
            return;
        }
        assertNotNull(reason, () -> keycloak + " is outside " + KeycloakVersions.SUPPORTED_MIN + " to "
                + KeycloakVersions.SUPPORTED_MAX_MINOR + ".x, yet the extension is active");
        assertTrue(reason.startsWith(WARN_MARKER + ": Keycloak " + keycloak.keycloakVersion() + " is outside the supported"
                + " range 26.4.0 to 26.7.x (built against "), reason);
    }

    @Test
    void startUpLogSaysOnceWhetherMcpSupportActs() throws IOException {
        Path log = keycloak.logFile();
        Assumptions.assumeTrue(log != null && Files.isRegularFile(log),
                "runtime " + keycloak.runtime() + " writes Keycloak's output to no file the test can read");
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        List<String> warnings = lines.stream().filter(line -> line.contains(WARN_MARKER)).toList();
        List<String> active = lines.stream().filter(line -> line.contains(ACTIVE_MARKER)).toList();
        if (expectActive) {
            assertEquals(List.of(), warnings);
            assertEquals(1, active.size(), () -> String.join("\n", active));
            String line = active.get(0);
            assertTrue(line.contains("INFO") && line.contains("Keycloak " + keycloak.keycloakVersion()
                    + " is in the supported range 26.4.0 to 26.7.x; MCP support is active. Capabilities on: "), line);
            String version = keycloak.keycloakVersion();
            if (KeycloakVersions.atLeast(version, KeycloakVersions.ALL_CAPABILITIES_SINCE)) {
                assertFalse(line.contains("Missing"), line);
            } else {
                // 26.4 and 26.5: the 26.6/26.7 hooks are missing and the fallbacks named; ID-JAG is off.
                assertTrue(line.contains("Missing, with fallback: AUTHORIZATION_CHECK_SPI (Keycloak 26.7.0): the MCP"
                        + " authorization checks run as the client-policy executor mcp-authorization-checks"), line);
                assertTrue(line.contains("; TOKEN_POST_PROCESSOR (Keycloak 26.6.0): tokens are bound to the MCP server"
                        + " by the extension's grant types"), line);
                assertTrue(line.contains("; PARAMETERIZED_CONSENT (Keycloak 26.6.0): "), line);
                assertTrue(line.contains("; JWT_AUTHORIZATION_GRANT (Keycloak 26.7.0): ID-JAG (the MCP enterprise-managed"
                        + " authorization grant) is off"), line);
                // 26.5 has the registration preflight and the exchange's restricted scopes; 26.4 has neither.
                boolean is26Point4 = !KeycloakVersions.atLeast(version, "26.5.0");
                assertEquals(is26Point4, line.contains("REGISTRATION_PREFLIGHT (Keycloak 26.5.0): "), line);
                assertEquals(is26Point4, line.contains("TOKEN_EXCHANGE_RESTRICTED_SCOPES (Keycloak 26.5.0): "), line);
                assertEquals(is26Point4, line.contains("CLIENT_CREDENTIALS_REFRESH_HOOK (Keycloak 26.5.0): "), line);
            }
        } else {
            assertEquals(List.of(), active);
            assertEquals(1, warnings.size(), () -> String.join("\n", warnings));
            assertTrue(warnings.get(0).contains("WARN"), warnings.get(0));
            assertTrue(warnings.get(0).contains(keycloak.inactiveReason()), warnings.get(0));
        }
    }

    @Test
    void adminStatusAndEnableSayWhetherMcpSupportActs() {
        String path = "/admin/realms/" + SampleRealm.NAME + "/mcp-authz";
        HttpResult status = keycloak.admin().get(path);
        assertEquals(200, status.status(), status::describe);
        assertEquals(expectActive, status.json().path("enabled").asBoolean(), status::describe);
        if (expectActive) {
            assertFalse(status.json().has("inactive"), status::describe);
            return;
        }
        // Enabling a realm on an unsupported version is refused with the reason, not a 500 and not a half set-up.
        HttpResult enable = keycloak.admin().post(path + "/enable", Map.of());
        assertEquals(409, enable.status(), enable::describe);
        assertEquals("unsupported_keycloak_version", enable.json().path("error").asText(), enable::describe);
        assertEquals(keycloak.inactiveReason(), enable.json().path("error_description").asText(), enable::describe);
        assertEquals(false, keycloak.admin().get(path).json().path("enabled").asBoolean());
    }

    /** The failure reported for 26.4.7 and 26.5.6: the consent page of every dynamic client was an HTTP 500. */
    @Test
    void dynamicClientGetsTheConsentPageAndATokenForTheServer() {
        McpClient client = McpClient.registerDynamically(keycloak.issuer(),
                keycloak.admin().createInitialAccessToken(SampleRealm.NAME), "it-version-" + System.nanoTime(), null);
        AuthorizationResponse authorization = client.authorize(
                client.authorizationRequest().resource(SampleRealm.DEMO_SERVER), User.ALICE);
        assertNotNull(authorization.code(), authorization::describe);
        // MCP realms ask every dynamic client's user for consent; Keycloak alone does not for a client registered
        // with an initial access token.
        assertEquals(expectActive, authorization.consentShown(), authorization::describe);

        TokenResponse tokens = client.exchange(authorization, SampleRealm.DEMO_SERVER);
        assertEquals(200, tokens.status(), tokens::describe);
        if (expectActive) {
            assertEquals(List.of(SampleRealm.DEMO_SERVER), tokens.audience(), tokens::describe);
        } else {
            // Inactive: Keycloak's own token, which binds no MCP server (and must not pretend to).
            assertFalse(tokens.audience().contains(SampleRealm.DEMO_SERVER), tokens::describe);
        }
    }

    /** CORS preflight and RFC 7592 DELETE reached methods 26.4/26.5 lack (preflight(), deleteOIDC returning Response). */
    @Test
    void registrationEndpointAnswersPreflightAndDelete() throws Exception {
        String endpoint = ClientRegistration.endpoint(keycloak.issuer());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(URI.create(endpoint))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://127.0.0.1:1")
                .header("Access-Control-Request-Method", "POST")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, preflight.statusCode(), preflight::body);

        ClientRegistration.Registered registered = ClientRegistration.registerOrFail(keycloak.issuer(),
                keycloak.admin().createInitialAccessToken(SampleRealm.NAME),
                ClientRegistration.sdkMetadata("it-version-delete", McpClient.loopbackRedirectUri(), null));
        HttpResult deleted = Http.delete(registered.registrationClientUri(), registered.registrationAccessToken());
        assertEquals(204, deleted.status(), deleted::describe);
        HttpResult gone = ClientRegistration.read(keycloak.issuer(), ClientRegistration.OIDC_PROVIDER,
                registered.clientId(), registered.registrationAccessToken());
        assertEquals(401, gone.status(), gone::describe);
    }

    @Test
    void discoveryIsServed() {
        HttpResult metadata = Http.get(keycloak.issuer() + "/.well-known/openid-configuration", null);
        assertEquals(200, metadata.status(), metadata::describe);
        JsonNode json = metadata.json();
        assertEquals(keycloak.issuer(), json.path("issuer").asText());
        // The MCP discovery (CIMD flag in an MCP realm) only where the extension acts.
        assertEquals(expectActive, json.path("client_id_metadata_document_supported").asBoolean(false), json::toString);
    }
}
