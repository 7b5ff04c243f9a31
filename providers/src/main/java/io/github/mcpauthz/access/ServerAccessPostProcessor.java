package io.github.mcpauthz.access;

import io.github.mcpauthz.core.McpChecks;
import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.McpRejection;
import io.github.mcpauthz.core.ServerAccess;
import org.keycloak.models.AuthenticatedClientSessionModel;
import org.keycloak.models.Constants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.protocol.oidc.token.TokenInterceptorException;
import org.keycloak.protocol.oidc.token.TokenPostProcessor;
import org.keycloak.protocol.oidc.token.TokenPostProcessorContext;
import org.keycloak.representations.AccessToken;

/**
 * At every token issuance of an MCP realm (code, refresh, offline refresh, token exchange, ...), after the audience
 * is bound: for a token whose {@code aud} is a server with an access rule, refuses a user the rule does not admit
 * with {@code invalid_grant} (so tokens stop when the user loses access; the refresh is refused, with an event); for a
 * server that puts roles in its tokens, writes the user's roles, computed now from the role mappings, into the
 * {@value ServerAccess#ROLES_CLAIM} claim. Servers without these settings cost one check of an empty map. The rule is
 * {@link ServerAccessTokenRule} (Keycloak 26.6+ runs it here; older releases from the extension's grant types).
 */
public class ServerAccessPostProcessor implements TokenPostProcessor {

    private final KeycloakSession session;

    public ServerAccessPostProcessor(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void process(TokenPostProcessorContext context) {
        RealmModel realm = session.getContext().getRealm();
        AccessToken accessToken = context.accessToken();
        if (accessToken == null || accessToken.getAudience() == null || !McpRealm.isEnabled(realm)) {
            return;
        }
        AuthenticatedClientSessionModel clientSession = context.clientSessionCtx().getClientSession();
        try {
            ServerAccessTokenRule.rule(new McpChecks.TokenIssuance(session, realm, clientSession.getClient(),
                    context.clientSessionCtx().getAttribute(Constants.GRANT_TYPE, String.class),
                    context.requestRefreshToken() != null, accessToken, user(context)));
        } catch (McpRejection e) {
            throw new TokenInterceptorException(e.error(), e.description());
        }
    }

    private static UserModel user(TokenPostProcessorContext context) {
        AuthenticatedClientSessionModel clientSession = context.clientSessionCtx().getClientSession();
        return clientSession == null || clientSession.getUserSession() == null ? null
                : clientSession.getUserSession().getUser();
    }
}
