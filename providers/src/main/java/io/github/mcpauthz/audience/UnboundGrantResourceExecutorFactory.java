package io.github.mcpauthz.audience;

import java.util.List;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProviderFactory;

public class UnboundGrantResourceExecutorFactory implements ClientPolicyExecutorProviderFactory {

    public static final String ID = "mcp-unbound-grant-resource";

    @Override
    public ClientPolicyExecutorProvider create(KeycloakSession session) {
        return new UnboundGrantResourceExecutor(session);
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getHelpText() {
        return "MCP: refuses the 'resource' parameter on device authorization (RFC 8628) and CIBA requests with "
                + "invalid_target. Those grants bind no MCP server and ask no consent per server, so their tokens "
                + "name no MCP server. Only acts in realms with MCP support enabled.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return List.of();
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }
}
