package io.github.mcpauthz.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.keycloak.services.clientpolicy.ClientPolicyContext;
import org.keycloak.services.clientpolicy.ClientPolicyEvent;
import org.keycloak.services.clientpolicy.ClientPolicyVote;

/**
 * The MCP events condition narrows the MCP policy to the MCP executors' events only while the policies with it run
 * MCP executors alone; anything else makes it satisfied on every event, like {@code any-client}.
 */
class McpEventsConditionTest {

    private static final String MCP_POLICY = policies(policy("mcp", McpEventsConditionFactory.ID, "mcp"));

    @Test
    void theMcpProfileThatEnableMakesIsMcpExecutorsOnly() {
        assertTrue(McpEventsCondition.onlyMcpExecutors(MCP_POLICY, profiles(profile("mcp", McpRealmSetup.MCP_EXECUTORS))));
    }

    @Test
    void someOfTheMcpExecutorsOrNoneAreMcpExecutorsOnly() {
        assertTrue(McpEventsCondition.onlyMcpExecutors(MCP_POLICY, profiles(profile("mcp", McpRealmSetup.MCP_EXECUTORS.subList(0, 2)))));
        assertTrue(McpEventsCondition.onlyMcpExecutors(MCP_POLICY, profiles(profile("mcp", List.of()))));
    }

    @Test
    void anExecutorAnAdminAddedToTheMcpProfileMakesItBroad() {
        List<String> executors = new java.util.ArrayList<>(McpRealmSetup.MCP_EXECUTORS);
        executors.add("reject-ropc-grant");
        assertFalse(McpEventsCondition.onlyMcpExecutors(MCP_POLICY, profiles(profile("mcp", executors))));
    }

    @Test
    void aGlobalOrMissingProfileInThePolicyMakesItBroad() {
        String withGlobal = policies(policy("mcp", McpEventsConditionFactory.ID, "mcp", "fapi-1-baseline"));
        assertFalse(McpEventsCondition.onlyMcpExecutors(withGlobal, profiles(profile("mcp", McpRealmSetup.MCP_EXECUTORS))));
        assertFalse(McpEventsCondition.onlyMcpExecutors(MCP_POLICY, profiles()));
        assertFalse(McpEventsCondition.onlyMcpExecutors(MCP_POLICY, null));
    }

    @Test
    void anAdminPolicyOfItsOwnWithThisConditionCountsToo() {
        String both = policies(policy("mcp", McpEventsConditionFactory.ID, "mcp"),
                policy("mine", McpEventsConditionFactory.ID, "strict"));
        String profiles = profiles(profile("mcp", McpRealmSetup.MCP_EXECUTORS), profile("strict", List.of("pkce-enforcer")));
        assertFalse(McpEventsCondition.onlyMcpExecutors(both, profiles));
    }

    @Test
    void policiesWithOtherConditionsDoNotCount() {
        String both = policies(policy("mcp", McpEventsConditionFactory.ID, "mcp"), policy("mine", "any-client", "strict"));
        String profiles = profiles(profile("mcp", McpRealmSetup.MCP_EXECUTORS), profile("strict", List.of("pkce-enforcer")));
        assertTrue(McpEventsCondition.onlyMcpExecutors(both, profiles));
    }

    @Test
    void noPoliciesAtAllAreMcpExecutorsOnly() {
        assertTrue(McpEventsCondition.onlyMcpExecutors(null, null));
        assertTrue(McpEventsCondition.onlyMcpExecutors("{\"policies\":[]}", null));
    }

    @Test
    void unreadablePoliciesMakeItBroad() {
        assertFalse(McpEventsCondition.onlyMcpExecutors("{\"policies\":[", profiles(profile("mcp", McpRealmSetup.MCP_EXECUTORS))));
        assertFalse(McpEventsCondition.onlyMcpExecutors(MCP_POLICY, "not json"));
    }

    @Test
    void theMcpExecutorsEventsAreSatisfiedWithoutLookingAtTheRealm() {
        // A null session: these events never read the realm.
        McpEventsCondition condition = new McpEventsCondition(null);
        for (ClientPolicyEvent event : List.of(ClientPolicyEvent.PRE_AUTHORIZATION_REQUEST,
                ClientPolicyEvent.PUSHED_AUTHORIZATION_REQUEST, ClientPolicyEvent.DEVICE_AUTHORIZATION_REQUEST,
                ClientPolicyEvent.BACKCHANNEL_AUTHENTICATION_REQUEST)) {
            ClientPolicyContext context = () -> event;
            assertEquals(ClientPolicyVote.YES, condition.applyPolicy(context), event.name());
        }
    }

    private static String policies(String... policies) {
        return "{\"policies\":[" + String.join(",", policies) + "]}";
    }

    private static String policy(String name, String condition, String... profiles) {
        return "{\"name\":\"" + name + "\",\"enabled\":true,\"conditions\":[{\"condition\":\"" + condition
                + "\",\"configuration\":{}}],\"profiles\":[" + quoted(List.of(profiles)) + "]}";
    }

    private static String profiles(String... profiles) {
        return "{\"profiles\":[" + String.join(",", profiles) + "]}";
    }

    private static String profile(String name, List<String> executors) {
        return "{\"name\":\"" + name + "\",\"executors\":["
                + executors.stream().map(e -> "{\"executor\":\"" + e + "\",\"configuration\":{}}").collect(Collectors.joining(","))
                + "]}";
    }

    private static String quoted(List<String> names) {
        return names.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(","));
    }
}
