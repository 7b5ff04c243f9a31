package io.github.mcpauthz.access;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointCheckProvider;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointCheckProviderFactory;

public class PassiveAccessCheckFactory implements AuthorizationEndpointCheckProviderFactory {

    public static final String ID = "mcp-passive-access";

    @Override
    public AuthorizationEndpointCheckProvider create(KeycloakSession session) {
        return new PassiveAccessCheck(session);
    }

    @Override
    public boolean isSupported(Config.Scope config) {
        return true;
    }

    @Override
    public String getId() {
        return ID;
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
