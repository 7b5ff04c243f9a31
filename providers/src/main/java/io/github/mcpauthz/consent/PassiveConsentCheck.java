package io.github.mcpauthz.consent;

import io.github.mcpauthz.core.AuthorizationCheckAdapter;
import io.github.mcpauthz.core.McpChecks;
import io.github.mcpauthz.core.McpRejection;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.McpServerRegistry;
import io.github.mcpauthz.core.ResourceBinding;
import io.github.mcpauthz.core.ServerGrantScopes;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserConsentModel;
import org.keycloak.models.UserModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.protocol.oidc.TokenManager;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointCheckProvider;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker.AuthorizationCheckException;
import org.keycloak.services.managers.AuthenticationManager;
import org.keycloak.services.managers.UserConsentManager;
import org.keycloak.util.TokenUtil;

/**
 * {@code prompt=none} in an MCP realm: answers {@code consent_required} (OIDC Core 3.1.2.6, with {@code iss} and
 * {@code state}) for a consent-required client whose signed-in user has not consented to what is asked: the client,
 * the request's MCP server, or a displayed scope. Keycloak would say {@code interaction_required}. Without a signed-in
 * user Keycloak answers {@code login_required} as usual; an invalid {@code resource} is left to the audience check.
 */
public class PassiveConsentCheck implements AuthorizationEndpointCheckProvider {

    static final String CONSENT_REQUIRED = PassiveConsentRule.CONSENT_REQUIRED;

    private final KeycloakSession session;

    public PassiveConsentCheck(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void check(AuthorizationEndpointChecker checker) throws AuthorizationCheckException {
        AuthorizationCheckAdapter.run(session, checker, PassiveConsentRule::rule);
    }

    /**
     * The rule, on every supported Keycloak: prompt=none for a consent-required client whose user has not consented
     * to what is asked (its scopes and this MCP server) is answered {@code consent_required} (OIDC Core 3.1.2.6),
     * where Keycloak would say {@code interaction_required}. Without a signed-in user, Keycloak answers
     * {@code login_required} as usual.
     */


    @Override
    public void close() {
    }
}
