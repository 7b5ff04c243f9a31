package io.github.mcpauthz.consent;

import io.github.mcpauthz.core.McpChecks;
import io.github.mcpauthz.core.McpRejection;
import io.github.mcpauthz.core.ScopeNames;
import java.util.Map;
import org.keycloak.OAuthErrorException;
import org.keycloak.events.Errors;

/** The grant-scope rule of an authorization request, on every supported Keycloak (see {@link GrantScopeAuthorizationCheckFactory}). */
public final class GrantScopeAuthorizationRule {

    private GrantScopeAuthorizationRule() {
    }

    /** The rule, on every supported Keycloak. */
    public static void rule(McpChecks.AuthorizationRequest request) throws McpRejection {
        String reserved = ScopeNames.firstReserved(request.scope());
        if (reserved != null) {
            String description = "scope must not name an MCP server grant scope (" + ScopeNames.RESERVED_PREFIX
                    + "...); consent to an MCP server is asked for by its resource";
            throw new McpRejection(OAuthErrorException.INVALID_SCOPE, description, Errors.INVALID_SCOPE, null, Map.of());
        }
    }
}
