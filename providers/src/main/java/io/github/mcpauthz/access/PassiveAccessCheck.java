package io.github.mcpauthz.access;

import io.github.mcpauthz.core.AuthorizationCheckAdapter;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointCheckProvider;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker.AuthorizationCheckException;

/**
 * {@code prompt=none} for a server with an access rule: a signed-in user the rule does not admit gets
 * {@code access_denied} (with {@code iss} and {@code state}) and a {@code LOGIN_ERROR} event, as after an interactive
 * login, where Keycloak would answer {@code interaction_required} for the pending required action. Without a signed-in
 * user Keycloak answers {@code login_required} as usual.
 */
public class PassiveAccessCheck implements AuthorizationEndpointCheckProvider {

    private final KeycloakSession session;

    public PassiveAccessCheck(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void check(AuthorizationEndpointChecker checker) throws AuthorizationCheckException {
        AuthorizationCheckAdapter.run(session, checker, PassiveAccessRule::rule);
    }

    @Override
    public void close() {
    }
}
