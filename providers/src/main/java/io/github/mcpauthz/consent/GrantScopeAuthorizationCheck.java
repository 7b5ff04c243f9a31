package io.github.mcpauthz.consent;

import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.ScopeNames;
import jakarta.ws.rs.core.Response;
import org.keycloak.OAuthErrorException;
import org.keycloak.events.Details;
import org.keycloak.events.Errors;
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
 */
public class GrantScopeAuthorizationCheck implements AuthorizationEndpointCheckProvider {

    @Override
    public void check(AuthorizationEndpointChecker checker) throws AuthorizationCheckException {
        if (!McpRealm.isEnabled(checker.getRealm())) {
            return;
        }
        String reserved = ScopeNames.firstReserved(checker.getAuthorizationEndpointRequest().getScope());
        if (reserved != null) {
            String description = "scope must not name an MCP server grant scope (" + ScopeNames.RESERVED_PREFIX
                    + "...); consent to an MCP server is asked for by its resource";
            checker.getEventBuilder().detail(Details.REASON, description).error(Errors.INVALID_SCOPE);
            throw new AuthorizationCheckException(Response.Status.BAD_REQUEST, OAuthErrorException.INVALID_SCOPE, description);
        }
    }

    @Override
    public void close() {
    }
}
