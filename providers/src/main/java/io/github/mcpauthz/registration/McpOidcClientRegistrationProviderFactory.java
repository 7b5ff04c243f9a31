package io.github.mcpauthz.registration;

import io.github.mcpauthz.core.KeycloakCompat;
import org.keycloak.Config;
import org.keycloak.services.clientregistration.oidc.OIDCClientRegistrationProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.services.clientregistration.ClientRegistrationProvider;
import org.keycloak.services.clientregistration.ClientRegistrationProviderFactory;

/** Replaces Keycloak's {@code openid-connect} registration provider (same id; a custom factory wins). */
public class McpOidcClientRegistrationProviderFactory implements ClientRegistrationProviderFactory {

    public static final String ID = "openid-connect";

    @Override
    public ClientRegistrationProvider create(KeycloakSession session) {
        // On an unsupported Keycloak, Keycloak's own endpoint (ours calls methods older versions lack).
        return KeycloakCompat.supported() ? new McpOidcClientRegistrationProvider(session)
                : new OIDCClientRegistrationProvider(session);
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
