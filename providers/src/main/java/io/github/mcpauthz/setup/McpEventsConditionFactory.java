package io.github.mcpauthz.setup;

import java.util.ArrayList;
import java.util.List;
import org.keycloak.models.KeycloakSession;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.services.clientpolicy.condition.AbstractClientPolicyConditionProviderFactory;
import org.keycloak.services.clientpolicy.condition.ClientPolicyConditionProvider;

/** The condition of the realm's {@code mcp} client policy: see {@link McpEventsCondition}. */
public final class McpEventsConditionFactory extends AbstractClientPolicyConditionProviderFactory {

    public static final String ID = "mcp-executor-events";

    private static final List<ProviderConfigProperty> PROPERTIES = new ArrayList<>();

    static {
        addCommonConfigProperties(PROPERTIES);
    }

    @Override
    public ClientPolicyConditionProvider<?> create(KeycloakSession session) {
        return new McpEventsCondition(session);
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getHelpText() {
        return "MCP: satisfied, for any client, on the events the MCP executors act on (authorization, pushed "
                + "authorization, device authorization and CIBA requests). Once a profile of a policy with this "
                + "condition holds any other executor (yours), satisfied on every event, like 'any-client'. Saves "
                + "Keycloak making the MCP profile's executors on token requests, where none of them acts.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return PROPERTIES;
    }
}
