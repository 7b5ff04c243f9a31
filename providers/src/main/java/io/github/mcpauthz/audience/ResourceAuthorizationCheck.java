package io.github.mcpauthz.audience;

import io.github.mcpauthz.core.ResourceBinding;
import io.github.mcpauthz.core.ResourceBinding.InvalidTargetException;
import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.McpServerRegistry;
import jakarta.ws.rs.core.Response;
import org.keycloak.events.Details;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointCheckProvider;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker.AuthorizationCheckException;

/**
 * Checks the {@code resource} of an authorization request in an MCP-enabled realm: it must name a registered
 * MCP server, once. A failure is redirected to the client as {@code invalid_target} (with {@code iss} and
 * {@code state}), before the user is asked to log in. The accepted value is bound to the authorization code
 * by Keycloak and enforced at the token endpoint by {@link ResourceAudiencePostProcessor}.
 */
public class ResourceAuthorizationCheck implements AuthorizationEndpointCheckProvider {

    public ResourceAuthorizationCheck(KeycloakSession session) {
    }

    @Override
    public void check(AuthorizationEndpointChecker checker) throws AuthorizationCheckException {
        if (!McpRealm.isEnabled(checker.getRealm())) {
            return;
        }
        try {
            ResourceBinding.forAuthorization(McpServerRegistry.index(checker.getRealm()),
                    checker.getAuthorizationEndpointRequest().getResource());
        } catch (InvalidTargetException e) {
            reject(checker, e.getMessage());
        }
    }

    private static void reject(AuthorizationEndpointChecker checker, String description) throws AuthorizationCheckException {
        checker.getEventBuilder().detail(Details.REASON, description).error(ResourceBinding.INVALID_TARGET);
        throw new AuthorizationCheckException(Response.Status.BAD_REQUEST, ResourceBinding.INVALID_TARGET, description);
    }

    @Override
    public void close() {
    }
}
