package io.github.mcpauthz.consent;

import io.github.mcpauthz.core.KeycloakCompat;
import org.keycloak.Config;
import org.keycloak.forms.login.freemarker.FreeMarkerLoginFormsProvider;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.forms.login.LoginFormsProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/**
 * Replaces Keycloak's {@code freemarker} login forms factory (same id; a deployed factory wins over the built-in one
 * of equal order) with {@link McpLoginFormsProvider}. Does what the built-in factory does, nothing more.
 */
public class McpLoginFormsProviderFactory implements LoginFormsProviderFactory {

    public static final String ID = "freemarker";

    @Override
    public LoginFormsProvider create(KeycloakSession session) {
        return KeycloakCompat.supported() ? new McpLoginFormsProvider(session) : new FreeMarkerLoginFormsProvider(session);
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        // Loaded by every Keycloak version (the login forms SPI is always there): says once whether MCP support acts.
        KeycloakCompat.logOnce();
    }

    @Override
    public void close() {
    }

    @Override
    public String getId() {
        return ID;
    }
}
