package io.github.mcpauthz.consent;

import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.McpServerRegistry;
import io.github.mcpauthz.core.ResourceBinding;
import io.github.mcpauthz.core.ServerGrantScopes;
import jakarta.ws.rs.core.Response;
import org.keycloak.events.Details;
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

    static final String CONSENT_REQUIRED = "consent_required";

    private final KeycloakSession session;

    public PassiveConsentCheck(KeycloakSession session) {
        this.session = session;
    }

    /**
     * prompt=none for a consent-required client whose user has not consented to what is asked (its scopes and this
     * MCP server) is answered {@code consent_required} (OIDC Core 3.1.2.6), where Keycloak would say
     * {@code interaction_required}. Without a signed-in user, Keycloak answers {@code login_required} as usual.
     */
    @Override
    public void check(AuthorizationEndpointChecker checker) throws AuthorizationCheckException {
        if (!McpRealm.isEnabled(checker.getRealm())) {
            return;
        }
        ClientModel client = checker.getClient();
        String prompt = checker.getAuthorizationEndpointRequest().getPrompt();
        if (client == null || !client.isConsentRequired() || !TokenUtil.hasPrompt(prompt, OIDCLoginProtocol.PROMPT_VALUE_NONE)) {
            return;
        }
        McpServer server;
        try {
            server = ResourceBinding.forAuthorization(McpServerRegistry.index(checker.getRealm()),
                    checker.getAuthorizationEndpointRequest().getResource());
        } catch (ResourceBinding.InvalidTargetException e) {
            return; // The audience feature refuses it as invalid_target.
        }
        RealmModel realm = checker.getRealm();
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
        } else if (TokenManager.getRequestedClientScopes(session, checker.getAuthorizationEndpointRequest().getScope(), client, user)
                .filter(ClientScopeModel::isDisplayOnConsentScreen)
                .anyMatch(scope -> !consent.isClientScopeGranted(scope))) {
            description = "The user has not consented to all requested scopes of this client";
        }
        if (description != null) {
            checker.getEventBuilder().detail(Details.REASON, description).error(CONSENT_REQUIRED);
            throw new AuthorizationCheckException(Response.Status.BAD_REQUEST, CONSENT_REQUIRED, description);
        }
    }

    private static boolean granted(UserConsentModel consent, ClientScopeModel scope) {
        return scope != null && consent.isClientScopeGranted(scope);
    }

    @Override
    public void close() {
    }
}
