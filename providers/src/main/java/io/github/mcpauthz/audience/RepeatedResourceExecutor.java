package io.github.mcpauthz.audience;

import io.github.mcpauthz.core.client.ErrorRedirects;
import io.github.mcpauthz.core.ResourceBinding;
import java.util.List;

import io.github.mcpauthz.core.McpRealm;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.OAuth2Constants;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.OIDCAdvancedConfigWrapper;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.protocol.oidc.utils.OIDCRedirectUriBuilder;
import org.keycloak.protocol.oidc.utils.OIDCResponseMode;
import org.keycloak.protocol.oidc.utils.RedirectUtils;
import org.keycloak.representations.idm.ClientPolicyExecutorConfigurationRepresentation;
import org.keycloak.services.Urls;
import org.keycloak.services.clientpolicy.ClientPolicyContext;
import org.keycloak.services.clientpolicy.context.PreAuthorizationRequestContext;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;
import org.keycloak.services.util.CacheControlUtil;

/**
 * Answers an authorization request that repeats {@code resource} with an {@code invalid_target} error redirect.
 *
 * <p>Keycloak's request parser answers any repeated parameter with {@code invalid_request} before extensions see
 * the parsed request, and the request parameters cannot be changed. On PRE_AUTHORIZATION_REQUEST (before parsing)
 * this executor therefore builds the error response itself, exactly as Keycloak's authorization endpoint builds
 * its error redirects ({@code error}, {@code error_description}, {@code state}, {@code iss}), and only after the
 * redirect URI has been verified against the client's registered ones. Anything it cannot verify is left to
 * Keycloak, which then shows its error page or answers {@code invalid_request}. Where {@link ErrorRedirects} says
 * the redirect URI must not receive errors, the error is shown on Keycloak's error page instead.
 */
public class RepeatedResourceExecutor implements ClientPolicyExecutorProvider<ClientPolicyExecutorConfigurationRepresentation> {

    private static final Logger LOG = Logger.getLogger(RepeatedResourceExecutor.class);

    static final String DESCRIPTION = "Invalid resource: the resource parameter must be sent at most once";

    private final KeycloakSession session;

    public RepeatedResourceExecutor(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void executeOnEvent(ClientPolicyContext context) {
        if (!(context instanceof PreAuthorizationRequestContext pre)) {
            return;
        }
        RealmModel realm = session.getContext().getRealm();
        if (!McpRealm.isEnabled(realm)) {
            return;
        }
        MultivaluedMap<String, String> params = pre.getRequestParameters();
        List<String> values = params == null ? null : params.get(OAuth2Constants.RESOURCE);
        if (values == null || values.size() < 2 || pre.getClientId() == null) {
            return;
        }
        ClientModel client = session.clients().getClientByClientId(realm, pre.getClientId());
        if (client == null || !client.isEnabled()) {
            return;
        }
        List<String> redirectUris = params.get(OAuth2Constants.REDIRECT_URI);
        if (redirectUris == null || redirectUris.size() != 1) {
            return;
        }
        String redirectUri = RedirectUtils.verifyRedirectUri(session, redirectUris.get(0), client);
        if (redirectUri == null) {
            return;
        }
        String responseModeParam = params.getFirst(OIDCLoginProtocol.RESPONSE_MODE_PARAM);
        OIDCResponseMode responseMode;
        if (responseModeParam == null || "query".equals(responseModeParam)) {
            responseMode = OIDCResponseMode.QUERY;
        } else if ("fragment".equals(responseModeParam)) {
            responseMode = OIDCResponseMode.FRAGMENT;
        } else if ("form_post".equals(responseModeParam)) {
            responseMode = OIDCResponseMode.FORM_POST;
        } else {
            return;
        }
        LOG.debugf("Repeated resource in authorization request of client %s", pre.getClientId());
        new EventBuilder(realm, session, session.getContext().getConnection())
                .event(EventType.LOGIN).client(client).detail(Details.REDIRECT_URI, redirectUri)
                .detail(Details.REASON, DESCRIPTION).error(ResourceBinding.INVALID_TARGET);
        if (!ErrorRedirects.mayRedirect(session, realm, client, redirectUri)) {
            throw ErrorRedirects.errorPage(session, ResourceBinding.INVALID_TARGET, DESCRIPTION);
        }
        CacheControlUtil.noBackButtonCacheControlHeader(session);
        OIDCRedirectUriBuilder error = OIDCRedirectUriBuilder.fromUri(redirectUri, responseMode, session, null)
                .addParam(OAuth2Constants.ERROR, ResourceBinding.INVALID_TARGET)
                .addParam(OAuth2Constants.ERROR_DESCRIPTION, DESCRIPTION);
        List<String> state = params.get(OAuth2Constants.STATE);
        if (state != null && state.size() == 1) {
            error.addParam(OAuth2Constants.STATE, state.get(0));
        }
        if (!OIDCAdvancedConfigWrapper.fromClientModel(client).isExcludeIssuerFromAuthResponse()) {
            error.addParam(OAuth2Constants.ISSUER, Urls.realmIssuer(session.getContext().getUri().getBaseUri(), realm.getName()));
        }
        Response response = error.build();
        if (!response.hasEntity()) {
            // The JAX-RS runtime hands a WebApplicationException's response to the client unchanged only when it
            // has an entity; without one Keycloak's exception mapper would replace the redirect by an error page.
            response = Response.fromResponse(response).entity("").type(MediaType.TEXT_PLAIN_TYPE).build();
        }
        throw new WebApplicationException(response);
    }

    @Override
    public String getProviderId() {
        return RepeatedResourceExecutorFactory.ID;
    }
}
