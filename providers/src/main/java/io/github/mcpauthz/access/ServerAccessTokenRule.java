package io.github.mcpauthz.access;

import java.util.List;
import java.util.Optional;

import io.github.mcpauthz.core.McpChecks;
import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.McpRejection;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.McpServerIndex;
import io.github.mcpauthz.core.McpServerRegistry;
import io.github.mcpauthz.core.ServerAccess;
import org.keycloak.OAuth2Constants;
import org.keycloak.OAuthErrorException;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.representations.AccessToken;

/**
 * The server access rule at token issuance, on every supported Keycloak (Keycloak 26.6+ runs it from
 * {@link ServerAccessPostProcessor}, older releases from the extension's grant types): for a token whose {@code aud}
 * is a server with an access rule, refuses a user the rule does not admit with {@code invalid_grant} and an event; for
 * a server that puts roles in its tokens, writes the user's roles into the {@value ServerAccess#ROLES_CLAIM} claim.
 */
public final class ServerAccessTokenRule {

    private ServerAccessTokenRule() {
    }

    public static void rule(McpChecks.TokenIssuance token) throws McpRejection {
        RealmModel realm = token.realm();
        AccessToken accessToken = token.accessToken();
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
            UserModel user = token.user();
            if (user == null) {
                continue;
            }
            roles = roles != null ? roles : new UserRoles(realm, user);
            if (!ServerAccessRequiredActionFactory.isServiceAccount(user) && !roles.admitted(server.access())) {
                String description = ServerAccessRequiredActionFactory.denial(server);
                event(token, user, server, description);
                throw new McpRejection(OAuthErrorException.INVALID_GRANT, description);
            }
            List<String> claim = audience.length == 1 ? roles.tokenRoles(server) : null;
            if (claim != null) {
                accessToken.getOtherClaims().put(ServerAccess.ROLES_CLAIM, claim);
            }
        }
    }

    private static void event(McpChecks.TokenIssuance token, UserModel user, McpServer server, String description) {
        String grantType = token.grantType();
        EventType type;
        if (OAuth2Constants.REFRESH_TOKEN.equals(grantType) || grantType == null && token.refresh()) {
            type = EventType.REFRESH_TOKEN;
        } else if (OAuth2Constants.AUTHORIZATION_CODE.equals(grantType)) {
            type = EventType.CODE_TO_TOKEN;
        } else if (OAuth2Constants.TOKEN_EXCHANGE_GRANT_TYPE.equals(grantType)) {
            type = EventType.TOKEN_EXCHANGE;
        } else {
            type = EventType.LOGIN;
        }
        new EventBuilder(token.realm(), token.session(), token.session().getContext().getConnection()).event(type)
                .client(token.client()).user(user)
                .detail(Details.GRANT_TYPE, grantType)
                .detail(ServerAccessRequiredActionFactory.RESOURCE_DETAIL, server.audience())
                .detail(Details.REASON, description)
                .error(ServerAccessRequiredActionFactory.ERROR);
    }
}
