package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.ClientRegistration;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.McpTestRealm;
import io.github.mcpauthz.it.support.SampleRealm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.github.mcpauthz.it.support.McpTestRealm.ANONYMOUS;
import static io.github.mcpauthz.it.support.McpTestRealm.AUTHENTICATED;
import static io.github.mcpauthz.it.support.McpTestRealm.DYNAMIC_CLIENT_POLICY;
import static io.github.mcpauthz.it.support.McpTestRealm.LIMITS_POLICY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * However a realm becomes an MCP realm, dynamic registration works for MCP clients: the {@code mcp-dynamic-client}
 * ("MCP dynamic clients") and {@code mcp-dynamic-client-limits} ("MCP dynamic client limits") policies are there for
 * anonymous and authenticated requests, Keycloak's anonymous {@code trusted-hosts} (refuses every MCP client) and
 * {@code max-clients} (counts admin-made clients) are gone, and an anonymous registration with the TypeScript SDK's
 * body is accepted.
 */
@KeycloakIT
class RegistrationPolicySetupIT {

    /** How the realm was made an MCP realm. */
    enum Setup {
        /** The sample realm, imported at start-up ({@code --import-realm}). */
        SAMPLE_REALM_IMPORTED_AT_STARTUP,
        /** {@code POST /admin/realms} with {@code mcp.enabled=true} and an {@code mcp-servers} component with scopes. */
        CREATED_WITH_ATTRIBUTE_AND_SERVER_WITH_SCOPES,
        /** {@code POST /admin/realms} with {@code mcp.enabled=true} and an {@code mcp-servers} component without scopes. */
        CREATED_WITH_ATTRIBUTE_AND_SERVER_WITHOUT_SCOPES,
        /** {@code POST /admin/realms} with {@code mcp.enabled=true} and no components at all. */
        CREATED_WITH_ATTRIBUTE_ONLY,
        /** A plain realm, then {@code POST /admin/realms/{r}/mcp-authz/enable} (twice: enable is idempotent). */
        ENABLED_THROUGH_REST_API
    }

    private static KeycloakEnvironment keycloak;
    private static AdminApi admin;

    @BeforeAll
    static void keycloak(KeycloakEnvironment environment) {
        keycloak = environment;
        admin = keycloak.admin();
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void mcpPoliciesReplaceKeycloaksAnonymousDefaults(Setup setup) {
        String realm = create(setup);
        try {
            List<String> problems = new ArrayList<>();
            JsonNode policies = admin.registrationPolicies(realm);
            for (String subType : List.of(ANONYMOUS, AUTHENTICATED)) {
                expectOne(policies, subType, DYNAMIC_CLIENT_POLICY, "MCP dynamic clients", problems);
                expectOne(policies, subType, LIMITS_POLICY, "MCP dynamic client limits", problems);
            }
            for (String replaced : List.of("trusted-hosts", "max-clients")) {
                if (!find(policies, ANONYMOUS, replaced).isEmpty()) {
                    problems.add("anonymous " + replaced + " policy still present");
                }
            }
            List<JsonNode> authenticatedLimits = find(policies, AUTHENTICATED, LIMITS_POLICY);
            if (authenticatedLimits.size() == 1 && !"0".equals(authenticatedLimits.get(0).path("config")
                    .path("registrations-per-address").path(0).asText())) {
                problems.add("authenticated limits should have registrations-per-address 0: " + authenticatedLimits.get(0));
            }
            assertTrue(problems.isEmpty(), "realm " + realm + " (" + setup + "): " + problems + "\n  policies: " + summary(policies));

            HttpResult registration = ClientRegistration.register(keycloak.issuer(realm), null,
                    ClientRegistration.sdkMetadata("Setup check", McpClient.loopbackRedirectUri(), null));
            assertEquals(201, registration.status(), () -> "anonymous registration in " + realm + " (" + setup + "): "
                    + registration.describe());
        } finally {
            if (setup != Setup.SAMPLE_REALM_IMPORTED_AT_STARTUP) {
                admin.deleteRealm(realm);
            }
        }
    }

    /** Enabling again repairs an MCP policy an admin removed, and keeps the settings of the ones still there. */
    @Test
    void enableRepairsARemovedPolicyAndKeepsConfiguredOnes() {
        try (McpTestRealm realm = McpTestRealm.create(keycloak, "dcr-setup-repair")) {
            realm.anonymousLimits(Map.of("max-dynamic-clients", "7"));
            JsonNode removed = admin.registrationPolicy(realm.name(), DYNAMIC_CLIENT_POLICY, ANONYMOUS);
            AdminApi.expect(admin.delete("/admin/realms/" + realm.name() + "/components/" + removed.path("id").asText()), 204);

            HttpResult enabled = admin.enableMcp(realm.name());

            assertEquals(200, enabled.status(), enabled::describe);
            JsonNode repaired = admin.registrationPolicy(realm.name(), DYNAMIC_CLIENT_POLICY, ANONYMOUS);
            assertEquals("MCP dynamic clients", repaired.path("name").asText(), repaired::toString);
            JsonNode limits = admin.registrationPolicy(realm.name(), LIMITS_POLICY, ANONYMOUS);
            assertEquals("7", limits.path("config").path("max-dynamic-clients").path(0).asText(), limits::toString);
            HttpResult registration = realm.register(
                    ClientRegistration.sdkMetadata("After repair", McpClient.loopbackRedirectUri(), null));
            assertEquals(201, registration.status(), registration::describe);
        }
    }

    private static String create(Setup setup) {
        String name = "dcr-setup-" + Long.toString(System.nanoTime(), 36);
        switch (setup) {
            case SAMPLE_REALM_IMPORTED_AT_STARTUP -> {
                return SampleRealm.NAME;
            }
            case CREATED_WITH_ATTRIBUTE_AND_SERVER_WITH_SCOPES -> admin.createRealm(McpTestRealm.representation(name, true));
            case CREATED_WITH_ATTRIBUTE_AND_SERVER_WITHOUT_SCOPES -> {
                Map<String, Object> realm = McpTestRealm.representation(name, false);
                Map<String, Object> server = McpTestRealm.serverComponent();
                @SuppressWarnings("unchecked")
                Map<String, Object> config = new LinkedHashMap<>((Map<String, Object>) server.get("config"));
                config.remove("scopes");
                server.put("config", config);
                realm.put("components", Map.of("org.keycloak.services.ui.extend.UiPageProvider", List.of(server)));
                admin.createRealm(realm);
            }
            case CREATED_WITH_ATTRIBUTE_ONLY -> admin.createRealm(McpTestRealm.representation(name, false));
            case ENABLED_THROUGH_REST_API -> {
                admin.createRealm(name);
                AdminApi.expect(admin.enableMcp(name), 200);
                AdminApi.expect(admin.enableMcp(name), 200);
            }
            default -> throw new IllegalArgumentException(setup.name());
        }
        return name;
    }

    private static void expectOne(JsonNode policies, String subType, String providerId, String name, List<String> problems) {
        List<JsonNode> found = find(policies, subType, providerId);
        if (found.size() != 1) {
            problems.add("expected one " + subType + " " + providerId + ", found " + found.size());
        } else if (!name.equals(found.get(0).path("name").asText())) {
            problems.add(subType + " " + providerId + " named '" + found.get(0).path("name").asText() + "', expected '"
                    + name + "'");
        }
    }

    private static List<JsonNode> find(JsonNode policies, String subType, String providerId) {
        List<JsonNode> found = new ArrayList<>();
        policies.forEach(policy -> {
            if (subType.equals(policy.path("subType").asText()) && providerId.equals(policy.path("providerId").asText())) {
                found.add(policy);
            }
        });
        return found;
    }

    private static List<String> summary(JsonNode policies) {
        List<String> out = new ArrayList<>();
        policies.forEach(policy -> out.add(policy.path("subType").asText() + ":" + policy.path("providerId").asText()));
        out.sort(null);
        return out;
    }
}
