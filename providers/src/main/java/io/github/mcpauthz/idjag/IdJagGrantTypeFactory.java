package io.github.mcpauthz.idjag;

import io.github.mcpauthz.core.KeycloakCompat;
import io.github.mcpauthz.core.KeycloakCompat.Capability;
import org.keycloak.Config;
import org.keycloak.OAuth2Constants;
import org.keycloak.common.Profile;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.protocol.oidc.grants.OAuth2GrantTypeFactory;
import org.keycloak.provider.EnvironmentDependentProviderFactory;

/**
 * Keycloak's JWT authorization grant with the MCP ID-JAG profile ({@link IdJagGrantType}). Same id as the built-in
 * factory, which it replaces; available when Keycloak's {@code jwt-authorization-grant} feature is (on by default).
 *
 * <p>It implements the grant-type SPI itself rather than extending Keycloak's factory, and creates the grant through
 * {@link Active}: Keycloak releases without the JWT authorization grant in its 26.7 shape (26.4 has none, 26.5 an
 * earlier one) load this class, find {@link Capability#JWT_AUTHORIZATION_GRANT} missing (see {@link KeycloakCompat}, which
 * logs that ID-JAG is off) and never load the grant, instead of failing to start; Keycloak's own grant stays.
 */
public class IdJagGrantTypeFactory implements OAuth2GrantTypeFactory, EnvironmentDependentProviderFactory {

    @Override
    public String getId() {
        return OAuth2Constants.JWT_AUTHORIZATION_GRANT;
    }

    @Override
    public String getShortcut() {
        return "ag";
    }

    @Override
    public OAuth2GrantType create(KeycloakSession session) {
        return Active.create();
    }

    @Override
    public boolean isSupported(Config.Scope config) {
        // Capability first: Profile.Feature.JWT_AUTHORIZATION_GRANT itself does not exist on 26.4 (read in Active).
        return KeycloakCompat.has(Capability.JWT_AUTHORIZATION_GRANT) && Active.featureEnabled();
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

    /** Loaded only where the factory is supported. */
    private static final class Active {
        static boolean featureEnabled() {
            return Profile.isFeatureEnabled(Profile.Feature.JWT_AUTHORIZATION_GRANT);
        }

        static OAuth2GrantType create() {
            return new IdJagGrantType();
        }
    }
}
