package io.github.mcpauthz.audience;

import java.util.List;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProviderFactory;

public class AuthorizationChecksExecutorFactory implements ClientPolicyExecutorProviderFactory {

    public static final String ID = "mcp-authorization-checks";

    @Override
    public ClientPolicyExecutorProvider create(KeycloakSession session) {
        return new AuthorizationChecksExecutor(session);
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getHelpText() {
        return "MCP: on Keycloak releases before 26.7, runs the MCP authorization-request checks (resource names a "
                + "registered MCP server, no MCP grant scope in scope, prompt=none consent and access) and binds the "
                + "request's resource to its authorization code. Does nothing on 26.7 and later, where the same checks "
                + "run inside the authorization endpoint. Do not remove it from the MCP profile on older releases.";
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
