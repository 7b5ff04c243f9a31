package io.github.mcpauthz.it;

import static io.github.mcpauthz.it.support.AdminApi.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.McpTestRealm;
import io.github.mcpauthz.it.support.TokenResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The realm's {@code mcp} client policy applies its profile on the events the MCP executors act on only, through the
 * condition {@code mcp-executor-events}; an executor an admin adds to the {@code mcp} profile still runs on every
 * event (here Keycloak's {@code reject-ropc-grant}, which acts on the password grant, an event no MCP executor acts
 * on); enabling a realm set up by an earlier version replaces its plain {@code any-client} condition.
 */
@KeycloakIT
class ClientPolicyEventsIT {

    static final String CONDITION = "mcp-executor-events";

    private static McpTestRealm realm;
    private static McpClient passwordClient;

    @BeforeAll
    static void createRealmAndClient(KeycloakEnvironment keycloak) {
        realm = McpTestRealm.create(keycloak, "client-policy-events");
        String clientId = "password-" + Long.toString(System.nanoTime(), 36);
        String secret = UUID.randomUUID().toString();
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", clientId);
        client.put("protocol", "openid-connect");
        client.put("publicClient", false);
        client.put("clientAuthenticatorType", "client-secret");
        client.put("secret", secret);
        client.put("standardFlowEnabled", false);
        client.put("directAccessGrantsEnabled", true);
        realm.admin().createClient(realm.name(), client);
        passwordClient = McpClient.preRegistered(realm.issuer(), clientId, secret, null);
    }

    @AfterAll
    static void deleteRealm() {
        McpTestRealm.close(realm);
    }

    @Test
    void enableGivesTheMcpPolicyTheMcpEventsCondition() {
        JsonNode policy = mcpPolicy();

        assertEquals(1, policy.path("conditions").size(), policy::toString);
        assertEquals(CONDITION, policy.path("conditions").get(0).path("condition").asText(), policy::toString);
        assertEquals(List.of("mcp"), names(policy.path("profiles")), policy::toString);
        assertEquals(true, policy.path("enabled").asBoolean(), policy::toString);
    }

    @Test
    void anExecutorAnAdminAddsToTheMcpProfileRunsOnEveryEvent() {
        assertEquals(200, password().status(), () -> password().describe());

        JsonNode original = expect(realm.admin().get(profilesPath()), 200).json();
        ObjectNode changed = original.deepCopy();
        ObjectNode executor = ((ArrayNode) mcpProfile(changed).path("executors")).addObject();
        executor.put("executor", "reject-ropc-grant");
        executor.putObject("configuration").put("auto-configure", false);
        expect(realm.admin().put(profilesPath(), changed), 204);
        try {
            TokenResponse refused = password();
            assertEquals(400, refused.status(), refused::describe);
            assertEquals("invalid_grant", refused.error(), refused::describe);
            assertEquals("resource owner password credentials grant is prohibited.", refused.errorDescription(),
                    refused::describe);
            assertNull(refused.accessToken(), refused::describe);
        } finally {
            expect(realm.admin().put(profilesPath(), original), 204);
        }

        TokenResponse again = password();
        assertEquals(200, again.status(), again::describe);
        assertNotNull(again.accessToken(), again::describe);
    }

    @Test
    void enableReplacesThePlainAnyClientConditionOfEarlierVersions() {
        JsonNode policies = expect(realm.admin().get(policiesPath()), 200).json();
        ObjectNode legacy = policies.deepCopy();
        ObjectNode policy = mcpPolicy(legacy);
        ArrayNode conditions = policy.putArray("conditions");
        ObjectNode anyClient = conditions.addObject();
        anyClient.put("condition", "any-client");
        anyClient.putObject("configuration");
        expect(realm.admin().put(policiesPath(), legacy), 204);
        assertEquals("any-client", mcpPolicy().path("conditions").get(0).path("condition").asText());

        expect(realm.admin().enableMcp(realm.name()), 200);

        JsonNode migrated = mcpPolicy();
        assertEquals(1, migrated.path("conditions").size(), migrated::toString);
        assertEquals(CONDITION, migrated.path("conditions").get(0).path("condition").asText(), migrated::toString);
    }

    @Test
    void enableKeepsAConditionAnAdminChose() {
        JsonNode original = expect(realm.admin().get(policiesPath()), 200).json();
        ObjectNode chosen = original.deepCopy();
        ArrayNode conditions = mcpPolicy(chosen).putArray("conditions");
        ObjectNode protocol = conditions.addObject();
        protocol.put("condition", "client-type");
        protocol.putObject("configuration").put("protocol", "openid-connect");
        expect(realm.admin().put(policiesPath(), chosen), 204);
        try {
            expect(realm.admin().enableMcp(realm.name()), 200);

            JsonNode kept = mcpPolicy();
            assertEquals(1, kept.path("conditions").size(), kept::toString);
            assertEquals("client-type", kept.path("conditions").get(0).path("condition").asText(), kept::toString);
        } finally {
            expect(realm.admin().put(policiesPath(), original), 204);
        }
    }

    private static TokenResponse password() {
        return passwordClient.tokenRequest().set("grant_type", "password")
                .set("username", realm.user().username()).set("password", realm.user().password()).send();
    }

    private static JsonNode mcpPolicy() {
        return mcpPolicy(expect(realm.admin().get(policiesPath()), 200).json());
    }

    private static ObjectNode mcpPolicy(JsonNode policies) {
        for (JsonNode policy : policies.path("policies")) {
            if ("mcp".equals(policy.path("name").asText())) {
                return (ObjectNode) policy;
            }
        }
        throw new AssertionError("no mcp policy in " + policies);
    }

    private static ObjectNode mcpProfile(JsonNode profiles) {
        for (JsonNode profile : profiles.path("profiles")) {
            if ("mcp".equals(profile.path("name").asText())) {
                return (ObjectNode) profile;
            }
        }
        throw new AssertionError("no mcp profile in " + profiles);
    }

    private static List<String> names(JsonNode array) {
        List<String> names = new java.util.ArrayList<>();
        array.forEach(n -> names.add(n.asText()));
        return names;
    }

    private static String policiesPath() {
        return "/admin/realms/" + realm.name() + "/client-policies/policies";
    }

    private static String profilesPath() {
        return "/admin/realms/" + realm.name() + "/client-policies/profiles";
    }
}
