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
        WellKnownProvider mcp = new CimdDiscovery(session, new DiscoveryWithoutGrantScopes(session, super.create(session)));
        // ID-JAG metadata only where the extension's ID-JAG grant runs (not on 26.4/26.5, see KeycloakCompat).
        return KeycloakCompat.has(KeycloakCompat.Capability.JWT_AUTHORIZATION_GRANT) ? new IdJagDiscovery(session, mcp) : mcp;
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
