package io.github.mcpauthz.discovery;

import io.github.mcpauthz.core.KeycloakCompat;

import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.OIDCWellKnownProviderFactory;
import org.keycloak.wellknown.WellKnownProvider;

/** Keycloak's OpenID discovery document plus CIMD support where it works (see {@link CimdDiscovery}), without
 * the per-server grant scopes in {@code scopes_supported} ({@link DiscoveryWithoutGrantScopes}). */
public class McpOpenIdConfigurationFactory extends OIDCWellKnownProviderFactory {

    @Override
    public WellKnownProvider create(KeycloakSession session) {
        if (!KeycloakCompat.supported()) {
            return super.create(session);
        }
        return new IdJagDiscovery(session, new CimdDiscovery(session, new DiscoveryWithoutGrantScopes(session, super.create(session))));
    }

    @Override
    public String getId() {
        return "mcp-openid-configuration";
    }

    @Override
    public String getAlias() {
        return OIDCWellKnownProviderFactory.PROVIDER_ID;
    }

    /** Lower than Keycloak's 100, so this one serves the alias. */
    @Override
    public int getPriority() {
        return 90;
    }
}
