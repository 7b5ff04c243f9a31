package io.github.mcpauthz.audience;

import java.util.List;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProviderFactory;

public class RepeatedResourceExecutorFactory implements ClientPolicyExecutorProviderFactory {

    public static final String ID = "mcp-repeated-resource";

    @Override
    public ClientPolicyExecutorProvider create(KeycloakSession session) {
        return new RepeatedResourceExecutor(session);
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getHelpText() {
        return "MCP: answers an authorization request that repeats the 'resource' parameter with an invalid_target "
                + "error redirect (RFC 8707), instead of Keycloak's generic invalid_request. Only acts in realms with "
                + "MCP support enabled. Unknown and malformed resources are rejected by the extension in every case.";
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
