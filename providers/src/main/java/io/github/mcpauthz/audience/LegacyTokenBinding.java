package io.github.mcpauthz.audience;

import io.github.mcpauthz.core.KeycloakCompat;
import io.github.mcpauthz.core.KeycloakCompat.Capability;
import io.github.mcpauthz.core.McpChecks;
import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.McpRejection;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.McpServerIndex;
import io.github.mcpauthz.core.McpServerRegistry;
import io.github.mcpauthz.core.ResourceBinding;
import io.github.mcpauthz.core.ResourceBinding.InvalidTargetException;
import io.github.mcpauthz.core.client.DynamicClients;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import org.keycloak.OAuth2Constants;
import org.keycloak.common.util.Time;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.jose.jws.JWSInput;
import org.keycloak.jose.jws.JWSInputException;
import org.keycloak.models.AuthenticatedClientSessionModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.protocol.oidc.TokenManager;
import org.keycloak.representations.AccessToken;
import org.keycloak.representations.RefreshToken;
import org.keycloak.services.CorsErrorResponseException;
import org.keycloak.services.cors.Cors;

/**
 * The token binding on Keycloak releases without token post-processors (before 26.6,
 * {@link Capability#TOKEN_POST_PROCESSOR}): the extension's grant types call {@link #bind} from
 * {@code checkAndBindMtlsHoKToken}, which every grant runs after the access and refresh tokens are built and before
 * the response is. It applies the same rules as {@link ResourceAudiencePostProcessor} and then the registered token
 * checks ({@link McpChecks#checkToken}). The code's resource comes from {@link CodeResourceNotes}; a refresh keeps the
 * resource of its refresh token. A refusal is the token endpoint's JSON error ({@code invalid_target}, ...), never a
 * 500. Does nothing on 26.6+ (the post-processors run there) and outside MCP realms.
 */
final class LegacyTokenBinding {

    private LegacyTokenBinding() {
    }

    /** Whether the grant types bind tokens themselves here. A constant per realm state; no lookup. */
    static boolean active(RealmModel realm) {
        return !KeycloakCompat.has(Capability.TOKEN_POST_PROCESSOR) && McpRealm.isEnabled(realm);
    }

    /**
     * Binds the tokens of {@code builder}; {@code clientSessionCtx} is null for grants that build their response
     * themselves (refresh, password and, on 26.4, client credentials).
     */
    static void bind(KeycloakSession session, RealmModel realm, ClientModel client, String grantType,
                     MultivaluedMap<String, String> form, ClientSessionContext clientSessionCtx,
                     TokenManager.AccessTokenResponseBuilder builder, EventBuilder event, Cors cors) {
        if (!active(realm)) {
            return;
        }
        AccessToken accessToken = builder.getAccessToken();
        if (accessToken == null) {
            return;
        }
        DynamicClients.touch(realm, client);
        McpServerIndex index = McpServerRegistry.index(realm);
        String requested = form == null ? null : form.getFirst(OAuth2Constants.RESOURCE);
        boolean refresh = OAuth2Constants.REFRESH_TOKEN.equals(grantType);
        ResourceAudienceBinding.Source source = ResourceAudienceBinding.Source.NONE;
        String bound = null;
        String grantBound = clientSessionCtx == null ? null
                : clientSessionCtx.getAttribute(McpServerRegistry.GRANT_BOUND_RESOURCE, String.class);
        if (OAuth2Constants.AUTHORIZATION_CODE.equals(grantType)) {
            source = ResourceAudienceBinding.Source.CODE;
            AuthenticatedClientSessionModel clientSession = clientSessionCtx == null ? null : clientSessionCtx.getClientSession();
            long maxAge = (long) realm.getAccessCodeLifespanLogin() + realm.getAccessCodeLifespan();
            bound = CodeResourceNotes.take(clientSession, form == null ? null : form.getFirst(OAuth2Constants.CODE_VERIFIER),
                    Time.currentTime(), maxAge).resource();
        } else if (refresh) {
            source = ResourceAudienceBinding.Source.REFRESH;
            bound = refreshTokenResource(form);
        } else if (grantBound != null) {
            source = ResourceAudienceBinding.Source.GRANT;
            bound = grantBound;
        }
        McpServer target;
        try {
            target = ResourceAudienceBinding.select(index, client, grantType, source, bound, requested);
        } catch (InvalidTargetException e) {
            event.detail(Details.REASON, e.getMessage()).error(ResourceBinding.INVALID_TARGET);
            throw new CorsErrorResponseException(cors, ResourceBinding.INVALID_TARGET, e.getMessage(), Response.Status.BAD_REQUEST);
        }
        RefreshToken refreshToken = builder.getRefreshToken();
        ResourceAudienceBinding.apply(index, target, accessToken, refreshToken);
        try {
            McpChecks.checkToken(new McpChecks.TokenIssuance(session, realm, client, grantType, refresh, accessToken,
                    user(session, realm, clientSessionCtx, accessToken)));
        } catch (McpRejection e) {
            // The check recorded its own event.
            throw new CorsErrorResponseException(cors, e.error(), e.description(), Response.Status.BAD_REQUEST);
        }
    }

    /**
     * Removes the refresh token from {@code builder} before the response is built (Keycloak 26.4 has no public way; its
     * builder keeps it in the field {@code refreshToken}). False when that field is not there.
     */
    static boolean dropRefreshToken(TokenManager.AccessTokenResponseBuilder builder) {
        try {
            java.lang.reflect.Field field = TokenManager.AccessTokenResponseBuilder.class.getDeclaredField("refreshToken");
            field.setAccessible(true);
            field.set(builder, null);
            return builder.getRefreshToken() == null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /** The {@code resource} claim of the request's refresh token, which Keycloak verified before this runs. */
    private static String refreshTokenResource(MultivaluedMap<String, String> form) {
        String encoded = form == null ? null : form.getFirst(OAuth2Constants.REFRESH_TOKEN);
        if (encoded == null) {
            return null;
        }
        try {
            Object claim = new JWSInput(encoded).readJsonContent(RefreshToken.class).getOtherClaims()
                    .get(ResourceAudienceBinding.RESOURCE_CLAIM);
            return claim instanceof String s ? s : null;
        } catch (JWSInputException | RuntimeException e) {
            return null;
        }
    }

    private static UserModel user(KeycloakSession session, RealmModel realm, ClientSessionContext clientSessionCtx,
                                  AccessToken accessToken) {
        if (clientSessionCtx != null && clientSessionCtx.getClientSession() != null
                && clientSessionCtx.getClientSession().getUserSession() != null) {
            return clientSessionCtx.getClientSession().getUserSession().getUser();
        }
        return accessToken.getSubject() == null ? null : session.users().getUserById(realm, accessToken.getSubject());
    }
}
