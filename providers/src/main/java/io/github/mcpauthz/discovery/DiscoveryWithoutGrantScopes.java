package io.github.mcpauthz.discovery;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.McpServerRegistry;
import io.github.mcpauthz.core.ScopeNames;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.representations.OIDCConfigurationRepresentation;
import org.keycloak.wellknown.WellKnownProvider;

/**
 * Keycloak's discovery document without the per-server grant scopes in {@code scopes_supported}: they are not scopes
 * a client may ask for. Grant scopes are already marked {@code include.in.openid.provider.metadata=false}; this also
 * drops any other name with the {@linkplain ScopeNames#RESERVED_PREFIX reserved prefix}, e.g. a grant scope an older
 * version of the extension made and that no enable has repaired yet. A filter of the list Keycloak built: no lookup.
 *
 * <p>In an MCP realm it also lists every registered server's scopes, from the registry's cached index: a server's
 * scopes become client scopes only when the first client gets them, and Keycloak lists only existing client scopes.
 */
public final class DiscoveryWithoutGrantScopes implements WellKnownProvider {

    private final KeycloakSession session;
    private final WellKnownProvider delegate;

    public DiscoveryWithoutGrantScopes(WellKnownProvider delegate) {
        this(null, delegate);
    }

    public DiscoveryWithoutGrantScopes(KeycloakSession session, WellKnownProvider delegate) {
        this.session = session;
        this.delegate = delegate;
    }

    @Override
    public Object getConfig() {
        Object config = delegate.getConfig();
        if (config instanceof OIDCConfigurationRepresentation oidc && oidc.getScopesSupported() != null) {
            List<String> scopes = withoutReserved(oidc.getScopesSupported());
            RealmModel realm = session == null ? null : session.getContext().getRealm();
            if (realm != null && McpRealm.isEnabled(realm)) {
                scopes = withServerScopes(scopes, McpServerRegistry.index(realm).scopeNames());
            }
            oidc.setScopesSupported(scopes);
        }
        return config;
    }

    static List<String> withoutReserved(List<String> scopes) {
        return scopes.stream().filter(scope -> !ScopeNames.isReserved(scope)).toList();
    }

    /** {@code scopes} followed by the server scopes it lacks, in their order. */
    static List<String> withServerScopes(List<String> scopes, Collection<String> serverScopes) {
        Set<String> listed = new HashSet<>(scopes);
        List<String> out = new ArrayList<>(scopes);
        serverScopes.stream().filter(name -> !listed.contains(name)).forEach(out::add);
        return out;
    }

    @Override
    public void close() {
        delegate.close();
    }
}
