package io.github.mcpauthz.consent;

import io.github.mcpauthz.core.AuthorizationCheckAdapter;
import io.github.mcpauthz.core.ScopeNames;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointCheckProvider;
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
 * {@code mcp-authorization-checks} executor.
 */
public class GrantScopeAuthorizationCheck implements AuthorizationEndpointCheckProvider {

    private final KeycloakSession session;

    public GrantScopeAuthorizationCheck() {
        this(null);
    }

    public GrantScopeAuthorizationCheck(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void check(AuthorizationEndpointChecker checker) throws AuthorizationCheckException {
        AuthorizationCheckAdapter.run(session, checker, GrantScopeAuthorizationRule::rule);
    }

    @Override
    public void close() {
    }
}
