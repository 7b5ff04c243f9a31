package io.github.mcpauthz.discovery;

import io.github.mcpauthz.core.KeycloakCompat;

import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oauth2.OAuth2WellKnownProviderFactory;
import org.keycloak.wellknown.WellKnownProvider;

/** Keycloak's RFC 8414 metadata plus CIMD support where it works (see {@link CimdDiscovery}), without
 * the per-server grant scopes in {@code scopes_supported} ({@link DiscoveryWithoutGrantScopes}). */
public class McpOAuthAuthorizationServerFactory extends OAuth2WellKnownProviderFactory {

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
        return "mcp-oauth-authorization-server";
    }

    @Override
    public String getAlias() {
        return OAuth2WellKnownProviderFactory.PROVIDER_ID;
    }

    @Override
    public int getPriority() {
        return 90;
    }
}
