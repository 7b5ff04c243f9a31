package io.github.mcpauthz.consent;

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
import org.keycloak.services.managers.AuthenticationManager;
import org.keycloak.services.managers.UserConsentManager;
import org.keycloak.util.TokenUtil;

/** The {@code prompt=none} consent rule, on every supported Keycloak (see {@link PassiveConsentCheck}). */
public final class PassiveConsentRule {

    static final String CONSENT_REQUIRED = "consent_required";

    private PassiveConsentRule() {
    }

    private static boolean granted(UserConsentModel consent, ClientScopeModel scope) {
        return scope != null && consent.isClientScopeGranted(scope);
    }

    public static void rule(McpChecks.AuthorizationRequest request) throws McpRejection {
        KeycloakSession session = request.session();
        ClientModel client = request.client();
        if (client == null || !client.isConsentRequired() || !TokenUtil.hasPrompt(request.prompt(), OIDCLoginProtocol.PROMPT_VALUE_NONE)) {
            return;
        }
        RealmModel realm = request.realm();
        McpServer server;
        try {
            server = ResourceBinding.forAuthorization(McpServerRegistry.index(realm), request.resource());
        } catch (ResourceBinding.InvalidTargetException e) {
            return; // The audience feature refuses it as invalid_target.
        }
        AuthenticationManager.AuthResult sso = AuthenticationManager.authenticateIdentityCookie(session, realm, true);
        if (sso == null || sso.getUser() == null) {
            return;
        }
        UserModel user = sso.getUser();
        UserConsentModel consent = UserConsentManager.getConsentByClient(session, realm, user, client.getId());
        String description = null;
        if (consent == null) {
            description = server == null ? "The user has not consented to this client"
                    : "The user has not consented to this client for " + server.audience();
        } else if (server != null && !granted(consent, ServerGrantScopes.find(realm, server))) {
            description = "The user has not consented to this client for " + server.audience();
        } else if (TokenManager.getRequestedClientScopes(session, request.scope(), client, user)
                .filter(ClientScopeModel::isDisplayOnConsentScreen)
                .anyMatch(scope -> !consent.isClientScopeGranted(scope))) {
            description = "The user has not consented to all requested scopes of this client";
        }
        if (description != null) {
            throw new McpRejection(CONSENT_REQUIRED, description);
        }
    }
}
