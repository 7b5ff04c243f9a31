package io.github.mcpauthz.audience;

import io.github.mcpauthz.core.AuthorizationCheckAdapter;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointCheckProvider;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker.AuthorizationCheckException;

/**
 * Checks the {@code resource} of an authorization request in an MCP-enabled realm: it must name a registered
 * MCP server, once. A failure is redirected to the client as {@code invalid_target} (with {@code iss} and
 * {@code state}), before the user is asked to log in. The accepted value is bound to the authorization code
 * by Keycloak and enforced at the token endpoint by {@link ResourceAudiencePostProcessor}. The rule is
 * {@link ResourceAuthorizationRule#rule}, which older Keycloak releases run through {@link AuthorizationChecksExecutor}.
 */
public class ResourceAuthorizationCheck implements AuthorizationEndpointCheckProvider {

    private final KeycloakSession session;

    public ResourceAuthorizationCheck(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void check(AuthorizationEndpointChecker checker) throws AuthorizationCheckException {
        AuthorizationCheckAdapter.run(session, checker, ResourceAuthorizationRule::rule);
    }

    @Override
    public void close() {
    }
}
