package io.github.mcpauthz.audience;

import java.util.List;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProviderFactory;

public class UntrustedRedirectErrorExecutorFactory implements ClientPolicyExecutorProviderFactory {

    public static final String ID = "mcp-untrusted-redirect-errors";

    @Override
    public ClientPolicyExecutorProvider create(KeycloakSession session) {
        return new UntrustedRedirectErrorExecutor(session);
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getHelpText() {
        return "MCP: for a dynamically registered client (DCR or client ID metadata document) whose redirect URI is "
                + "https (not loopback, not a private-use scheme), shows authorization-endpoint errors (invalid "
                + "resource, missing PKCE, unsupported response_type, invalid scope, invalid request, prompt=none) on "
                + "Keycloak's error page instead of redirecting them, unless the signed-in user has consented to the "
                + "client (RFC 9700 4.11.2: no open redirector). Must come after the client ID metadata document "
                + "executor in the profile. Only acts in realms with MCP support enabled.";
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
