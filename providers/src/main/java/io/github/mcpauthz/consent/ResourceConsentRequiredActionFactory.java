package io.github.mcpauthz.consent;

import org.keycloak.Config;
import org.keycloak.authentication.RequiredActionFactory;
import org.keycloak.authentication.RequiredActionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

public class ResourceConsentRequiredActionFactory implements RequiredActionFactory {

    public static final String ID = "mcp-resource-consent";

    @Override
    public RequiredActionProvider create(KeycloakSession session) {
        return new ResourceConsentRequiredAction();
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getDisplayText() {
        return "MCP: consent per MCP server";
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
