package io.github.mcpauthz.consent;

import io.github.mcpauthz.core.AuthorizationCheckAdapter;
import io.github.mcpauthz.core.ScopeNames;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointCheckProvider;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointCheckProviderFactory;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker.AuthorizationCheckException;

/**
 * Refuses an authorization request of an MCP realm whose {@code scope} names a per-server grant scope (any name with
 * the reserved prefix {@value ScopeNames#RESERVED_PREFIX}): {@code invalid_scope}, redirected to the client with
 * {@code iss} and {@code state}, before the user is asked to log in. Consent to a server is asked for by the request's
 * {@code resource}, never by {@code scope}: otherwise a link for server A could carry server B's grant scope and make
 * the user's "Yes" for A a "Yes" for B. (Keycloak already refuses a grant scope that is not attached to the client,
 * which is every one the extension manages; this also covers one an admin attached by hand.) A string check: no lookup.
 * The rule is {@link GrantScopeAuthorizationRule#rule}, which older Keycloak releases run through the
 * {@code mcp-authorization-checks} executor. Factory and provider in one class: it keeps no state (the rule needs no
 * session), so every session shares the one instance.
 */
public class GrantScopeAuthorizationCheckFactory implements AuthorizationEndpointCheckProviderFactory, AuthorizationEndpointCheckProvider {

    public static final String ID = "mcp-grant-scope";

    @Override
    public AuthorizationEndpointCheckProvider create(KeycloakSession session) {
        return this;
    }

    @Override
    public void check(AuthorizationEndpointChecker checker) throws AuthorizationCheckException {
        AuthorizationCheckAdapter.run(null, checker, GrantScopeAuthorizationRule::rule);
    }

    @Override
    public boolean isSupported(Config.Scope config) {
        return true;
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
