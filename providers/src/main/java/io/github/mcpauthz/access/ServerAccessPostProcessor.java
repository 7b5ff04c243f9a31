package io.github.mcpauthz.access;

import java.util.List;
import java.util.Optional;

import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.McpServerIndex;
import io.github.mcpauthz.core.McpServerRegistry;
import io.github.mcpauthz.core.ServerAccess;
import org.keycloak.OAuth2Constants;
import org.keycloak.OAuthErrorException;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
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
 * {@value ServerAccess#ROLES_CLAIM} claim. Servers without these settings cost one check of an empty map.
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
        McpServerIndex index = McpServerRegistry.index(realm);
        String[] audience = accessToken.getAudience();
        UserRoles roles = null;
        for (String aud : audience) {
            Optional<McpServer> governed = index.governedServer(aud);
            if (governed.isEmpty()) {
                continue;
            }
            McpServer server = governed.get();
            UserModel user = user(context);
            if (user == null) {
                continue;
            }
            roles = roles != null ? roles : new UserRoles(realm, user);
            if (!ServerAccessRequiredAction.isServiceAccount(user) && !roles.admitted(server.access())) {
                String description = ServerAccessRequiredAction.denial(server);
                event(realm, context, user, server, description);
                throw new TokenInterceptorException(OAuthErrorException.INVALID_GRANT, description);
            }
            List<String> claim = audience.length == 1 ? roles.tokenRoles(server) : null;
            if (claim != null) {
                accessToken.getOtherClaims().put(ServerAccess.ROLES_CLAIM, claim);
            }
        }
    }

    private static UserModel user(TokenPostProcessorContext context) {
        AuthenticatedClientSessionModel clientSession = context.clientSessionCtx().getClientSession();
        return clientSession == null || clientSession.getUserSession() == null ? null
                : clientSession.getUserSession().getUser();
    }

    private void event(RealmModel realm, TokenPostProcessorContext context, UserModel user, McpServer server,
                       String description) {
        String grantType = context.clientSessionCtx().getAttribute(Constants.GRANT_TYPE, String.class);
        EventType type;
        if (OAuth2Constants.REFRESH_TOKEN.equals(grantType) || grantType == null && context.requestRefreshToken() != null) {
            type = EventType.REFRESH_TOKEN;
        } else if (OAuth2Constants.AUTHORIZATION_CODE.equals(grantType)) {
            type = EventType.CODE_TO_TOKEN;
        } else if (OAuth2Constants.TOKEN_EXCHANGE_GRANT_TYPE.equals(grantType)) {
            type = EventType.TOKEN_EXCHANGE;
        } else {
            type = EventType.LOGIN;
        }
        new EventBuilder(realm, session, session.getContext().getConnection()).event(type)
                .client(context.clientSessionCtx().getClientSession().getClient()).user(user)
                .detail(Details.GRANT_TYPE, grantType)
                .detail(ServerAccessRequiredAction.RESOURCE_DETAIL, server.audience())
                .detail(Details.REASON, description)
                .error(ServerAccessRequiredAction.ERROR);
    }
}
