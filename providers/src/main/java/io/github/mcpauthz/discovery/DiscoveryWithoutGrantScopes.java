package io.github.mcpauthz.discovery;

import java.util.List;

import io.github.mcpauthz.core.ScopeNames;
import org.keycloak.protocol.oidc.representations.OIDCConfigurationRepresentation;
import org.keycloak.wellknown.WellKnownProvider;

/**
 * Keycloak's discovery document without the per-server grant scopes in {@code scopes_supported}: they are not scopes
 * a client may ask for. Grant scopes are already marked {@code include.in.openid.provider.metadata=false}; this also
 * drops any other name with the {@linkplain ScopeNames#RESERVED_PREFIX reserved prefix}, e.g. a grant scope an older
 * version of the extension made and that no enable has repaired yet. A filter of the list Keycloak built: no lookup.
 */
public final class DiscoveryWithoutGrantScopes implements WellKnownProvider {

    private final WellKnownProvider delegate;

    public DiscoveryWithoutGrantScopes(WellKnownProvider delegate) {
        this.delegate = delegate;
    }

    @Override
    public Object getConfig() {
        Object config = delegate.getConfig();
        if (config instanceof OIDCConfigurationRepresentation oidc && oidc.getScopesSupported() != null) {
            oidc.setScopesSupported(withoutReserved(oidc.getScopesSupported()));
        }
        return config;
    }

    static List<String> withoutReserved(List<String> scopes) {
        return scopes.stream().filter(scope -> !ScopeNames.isReserved(scope)).toList();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
