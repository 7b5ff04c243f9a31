package io.github.mcpauthz.access;

import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.McpServerRegistry;
import io.github.mcpauthz.core.ResourceBinding;
import jakarta.ws.rs.core.Response;
import org.keycloak.OAuthErrorException;
import org.keycloak.events.Details;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.UserModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointCheckProvider;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker.AuthorizationCheckException;
import org.keycloak.services.managers.AuthenticationManager;
import org.keycloak.util.TokenUtil;

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
        if (!McpRealm.isEnabled(checker.getRealm())
                || !TokenUtil.hasPrompt(checker.getAuthorizationEndpointRequest().getPrompt(), OIDCLoginProtocol.PROMPT_VALUE_NONE)) {
            return;
        }
        McpServer server;
        try {
            server = ResourceBinding.forAuthorization(McpServerRegistry.index(checker.getRealm()),
                    checker.getAuthorizationEndpointRequest().getResource());
        } catch (ResourceBinding.InvalidTargetException e) {
            return; // The audience feature refuses it as invalid_target.
        }
        if (server == null || !server.access().restricted()) {
            return;
        }
        AuthenticationManager.AuthResult sso = AuthenticationManager.authenticateIdentityCookie(session, checker.getRealm(), true);
        UserModel user = sso == null ? null : sso.getUser();
        if (user == null || ServerAccessRequiredAction.isServiceAccount(user)
                || new UserRoles(checker.getRealm(), user).admitted(server.access())) {
            return;
        }
        String description = ServerAccessRequiredAction.denial(server);
        checker.getEventBuilder().user(user)
                .detail(ServerAccessRequiredAction.RESOURCE_DETAIL, server.audience())
                .detail(Details.REASON, description)
                .error(ServerAccessRequiredAction.ERROR);
        throw new AuthorizationCheckException(Response.Status.BAD_REQUEST, OAuthErrorException.ACCESS_DENIED, description);
    }

    @Override
    public void close() {
    }
}
