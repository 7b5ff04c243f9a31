package io.github.mcpauthz.audience;

import java.util.List;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProviderFactory;

public class ServerScopesExecutorFactory implements ClientPolicyExecutorProviderFactory {

    public static final String ID = "mcp-server-scopes";

    @Override
    public ClientPolicyExecutorProvider create(KeycloakSession session) {
        return new ServerScopesExecutor(session);
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getHelpText() {
        return "MCP: gives a client the scopes of the MCP server its authorization request names (the 'resource' "
                + "parameter, or the realm's default server), as optional client scopes, before Keycloak checks the "
                + "requested scopes. Server scopes are not realm default scopes: each client carries only the scopes of "
                + "the servers it was authorized for. Only acts in realms with MCP support enabled.";
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
