package io.github.mcpauthz.discovery;

import java.util.List;

import io.github.mcpauthz.core.McpRealm;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.IdentityProviderQuery;
import org.keycloak.models.IdentityProviderType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.representations.OIDCConfigurationRepresentation;
import org.keycloak.wellknown.WellKnownProvider;

/**
 * Adds {@code authorization_grant_profiles_supported: ["urn:ietf:params:oauth:grant-profile:id-jag"]} to the
 * discovery documents of MCP realms that trust an identity provider for JWT authorization grants (an enabled provider
 * of type {@code jwt-authorization-grant}), where the ID-JAG grant accepts them. Other realms keep the
 * document they get.
 */
public final class IdJagDiscovery implements WellKnownProvider {

    /** The grant profile of enterprise-managed authorization (ID-JAG, MCP ext-auth). */
    static final String PROFILE = "urn:ietf:params:oauth:grant-profile:id-jag";

    static final String METADATA = "authorization_grant_profiles_supported";

    private final KeycloakSession session;
    private final WellKnownProvider delegate;

    public IdJagDiscovery(KeycloakSession session, WellKnownProvider delegate) {
        this.session = session;
        this.delegate = delegate;
    }

    @Override
    public Object getConfig() {
        Object config = delegate.getConfig();
        RealmModel realm = session.getContext().getRealm();
        if (config instanceof OIDCConfigurationRepresentation oidc && McpRealm.isEnabled(realm) && trustsAnIdentityProvider()) {
            oidc.setOtherClaims(METADATA, List.of(PROFILE));
        }
        return config;
    }

    private boolean trustsAnIdentityProvider() {
        return session.identityProviders().getAllStream(IdentityProviderQuery.type(IdentityProviderType.JWT_AUTHORIZATION_GRANT))
                .anyMatch(IdentityProviderModel::isEnabled);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
