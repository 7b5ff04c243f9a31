package io.github.mcpauthz.access;

import io.github.mcpauthz.core.McpChecks;
import io.github.mcpauthz.core.McpRejection;
import java.util.Map;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.McpServerRegistry;
import io.github.mcpauthz.core.ResourceBinding;
import org.keycloak.OAuthErrorException;
import org.keycloak.models.UserModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.services.managers.AuthenticationManager;
import org.keycloak.util.TokenUtil;

/** The {@code prompt=none} access rule, on every supported Keycloak (see {@link PassiveAccessCheck}). */
public final class PassiveAccessRule {

    private PassiveAccessRule() {
    }

    /** The rule, on every supported Keycloak. */
    public static void rule(McpChecks.AuthorizationRequest request) throws McpRejection {
        if (!TokenUtil.hasPrompt(request.prompt(), OIDCLoginProtocol.PROMPT_VALUE_NONE)) {
            return;
        }
        McpServer server;
        try {
            server = ResourceBinding.forAuthorization(McpServerRegistry.index(request.realm()), request.resource());
        } catch (ResourceBinding.InvalidTargetException e) {
            return; // The audience feature refuses it as invalid_target.
        }
        if (server == null || !server.access().restricted()) {
            return;
        }
        AuthenticationManager.AuthResult sso = AuthenticationManager.authenticateIdentityCookie(request.session(), request.realm(), true);
        UserModel user = sso == null ? null : sso.getUser();
        if (user == null || ServerAccessRequiredActionFactory.isServiceAccount(user)
                || new UserRoles(request.realm(), user).admitted(server.access())) {
            return;
        }
        throw new McpRejection(OAuthErrorException.ACCESS_DENIED, ServerAccessRequiredActionFactory.denial(server),
                ServerAccessRequiredActionFactory.ERROR, user, Map.of(ServerAccessRequiredActionFactory.RESOURCE_DETAIL, server.audience()));
    }
}
