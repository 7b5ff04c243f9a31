package io.github.mcpauthz.access;

import org.keycloak.Config;
import org.keycloak.authentication.RequiredActionFactory;
import org.keycloak.authentication.RequiredActionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/** Registers {@link ServerAccessRequiredAction}; enabled in every MCP realm by enable, never assigned to users. */
public class ServerAccessRequiredActionFactory implements RequiredActionFactory {

    public static final String ID = "mcp-server-access";
    public static final String DISPLAY_TEXT = "MCP: access rule per MCP server";

    private static final ServerAccessRequiredAction INSTANCE = new ServerAccessRequiredAction();

    @Override
    public RequiredActionProvider create(KeycloakSession session) {
        return INSTANCE;
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getDisplayText() {
        return DISPLAY_TEXT;
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
