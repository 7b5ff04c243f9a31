package io.github.mcpauthz.consent;

import io.github.mcpauthz.core.AuthorizationCheckAdapter;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointCheckProvider;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker.AuthorizationCheckException;

/**
 * {@code prompt=none} in an MCP realm: answers {@code consent_required} (OIDC Core 3.1.2.6, with {@code iss} and
 * {@code state}) for a consent-required client whose signed-in user has not consented to what is asked: the client,
 * the request's MCP server, or a displayed scope. Keycloak would say {@code interaction_required}. Without a signed-in
 * user Keycloak answers {@code login_required} as usual; an invalid {@code resource} is left to the audience check.
 */
public class PassiveConsentCheck implements AuthorizationEndpointCheckProvider {

    private final KeycloakSession session;

    public PassiveConsentCheck(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void check(AuthorizationEndpointChecker checker) throws AuthorizationCheckException {
        AuthorizationCheckAdapter.run(session, checker, PassiveConsentRule::rule);
    }

    @Override
    public void close() {
    }
}
