package io.github.mcpauthz.audience;

import io.github.mcpauthz.core.ResourceBinding;

import io.github.mcpauthz.core.ResourceBinding.InvalidTargetException;
import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.client.DynamicClients;
import io.github.mcpauthz.core.ExchangeAudiences;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.McpServerIndex;
import io.github.mcpauthz.core.McpServerRegistry;
import jakarta.ws.rs.core.MultivaluedMap;
import org.keycloak.OAuth2Constants;
import org.keycloak.http.HttpRequest;
import org.keycloak.common.Profile;
import org.keycloak.models.Constants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.resourceindicators.ResourceIndicatorConstants;
import org.keycloak.protocol.oidc.resourceindicators.ResourceIndicatorsPostProcessor;
import org.keycloak.protocol.oidc.token.TokenInterceptorException;
import org.keycloak.protocol.oidc.token.TokenPostProcessor;
import org.keycloak.protocol.oidc.token.TokenPostProcessorContext;
import org.keycloak.representations.AccessToken;

/**
 * Binds every token of an MCP-enabled realm to exactly one registered MCP server (RFC 8707).
 *
 * <p>Runs after the protocol mappers, for every client and grant. The server is the {@code resource} bound to
 * the authorization code (or kept in the refresh token); a {@code resource} on the token request may repeat it
 * in any equivalent spelling but not change it. The access token's {@code aud} becomes that server's canonical
 * URI and nothing else. Without a resource the token names no MCP server, unless the realm has a default server.
 * A client credentials request names the server an admin allowed the machine client ({@link
 * ResourceBinding#forMachineClient}). Other grants without an authorization request (device code, CIBA, password,
 * client credentials without resource, ...) bind no server:
 * {@code resource} is refused and their tokens name no MCP server. Token exchange keeps a server in {@code aud}
 * only when the exchange asked for it.
 *
 * <p>Realms without MCP support keep Keycloak's own behaviour: when the experimental {@code resource-indicators}
 * feature is on, Keycloak's processor (which this one replaces, having the same id) runs for them.
 */
public class ResourceAudiencePostProcessor implements TokenPostProcessor {

    /** Claim of the refresh token that carries the bound resource (same name Keycloak's processor uses). */
    static final String RESOURCE_CLAIM = ResourceAudienceBinding.RESOURCE_CLAIM;

    private final KeycloakSession session;

    public ResourceAudiencePostProcessor(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void process(TokenPostProcessorContext context) {
        RealmModel realm = session.getContext().getRealm();
        if (!McpRealm.isEnabled(realm)) {
            processAsKeycloak(context);
            return;
        }
        AccessToken accessToken = context.accessToken();
        if (accessToken == null) {
            return;
        }
        String grantType = context.clientSessionCtx().getAttribute(Constants.GRANT_TYPE, String.class);
        if (grantType == null && context.requestRefreshToken() != null) {
            // Refreshing an offline token: Keycloak builds a new client session context for the response, without the
            // grant type it set on the one it validated. The request's refresh token says which grant this is.
            grantType = OAuth2Constants.REFRESH_TOKEN;
        }
        McpServerIndex index = McpServerRegistry.index(realm);
        if (OAuth2Constants.TOKEN_EXCHANGE_GRANT_TYPE.equals(grantType)) {
            keepRequestedServers(accessToken, index);
            return;
        }
        DynamicClients.touch(realm, context.clientSessionCtx().getClientSession().getClient());
        McpServer target;
        try {
            target = selectServer(context, grantType, index);
        } catch (InvalidTargetException e) {
            throw new TokenInterceptorException(ResourceBinding.INVALID_TARGET, e.getMessage());
        }
        ResourceAudienceBinding.apply(index, target, accessToken, context.refreshToken());
    }

    /** Token exchange: see {@link ExchangeAudiences#keepRequestedServers}. */
    private void keepRequestedServers(AccessToken accessToken, McpServerIndex index) {
        ExchangeAudiences.keepRequestedServers(accessToken, index, formParameters());
    }

    private MultivaluedMap<String, String> formParameters() {
        HttpRequest request = session.getContext().getHttpRequest();
        try {
            return request == null ? null : request.getDecodedFormParameters();
        } catch (RuntimeException notAForm) {
            return null;
        }
    }

    private McpServer selectServer(TokenPostProcessorContext context, String grantType, McpServerIndex index)
            throws InvalidTargetException {
        String requested = context.clientSessionCtx().getAttribute(OAuth2Constants.RESOURCE, String.class);
        if (requested == null) {
            MultivaluedMap<String, String> form = formParameters();
            requested = form == null ? null : form.getFirst(OAuth2Constants.RESOURCE);
        }
        String grantBound = context.clientSessionCtx().getAttribute(McpServerRegistry.GRANT_BOUND_RESOURCE, String.class);
        ResourceAudienceBinding.Source source;
        String bound = null;
        if (OAuth2Constants.AUTHORIZATION_CODE.equals(grantType) && context.code() != null) {
            source = ResourceAudienceBinding.Source.CODE;
            bound = context.code().getResource();
        } else if (OAuth2Constants.REFRESH_TOKEN.equals(grantType) && context.requestRefreshToken() != null) {
            source = ResourceAudienceBinding.Source.REFRESH;
            Object claim = context.requestRefreshToken().getOtherClaims().get(RESOURCE_CLAIM);
            bound = claim instanceof String s ? s : null;
        } else if (grantBound != null) {
            source = ResourceAudienceBinding.Source.GRANT;
            bound = grantBound;
        } else {
            source = ResourceAudienceBinding.Source.NONE;
        }
        return ResourceAudienceBinding.select(index, context.clientSessionCtx().getClientSession().getClient(), grantType,
                source, bound, requested);
    }

    /** Keycloak's own RFC 8707 handling for realms without MCP support, minus its crash on an empty audience. */
    private void processAsKeycloak(TokenPostProcessorContext context) {
        if (!Profile.isFeatureEnabled(Profile.Feature.RESOURCE_INDICATORS)) {
            return;
        }
        AccessToken accessToken = context.accessToken();
        boolean noAudience = accessToken != null && accessToken.getAudience() == null;
        if (noAudience) {
            accessToken.audience(new String[0]);
        }
        try {
            new ResourceIndicatorsPostProcessor(session).process(context);
        } catch (NullPointerException e) {
            throw new TokenInterceptorException(ResourceBinding.INVALID_TARGET, ResourceIndicatorConstants.ERROR_INVALID_RESOURCE);
        } finally {
            if (noAudience && accessToken.getAudience() != null && accessToken.getAudience().length == 0) {
                accessToken.audience((String[]) null);
            }
        }
    }

}
