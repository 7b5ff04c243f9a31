package io.github.mcpauthz.audience;

import io.github.mcpauthz.core.client.ErrorRedirects;
import io.github.mcpauthz.core.KeycloakCompat;
import io.github.mcpauthz.core.McpChecks;
import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.McpRejection;
import io.github.mcpauthz.core.client.DynamicClients;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MultivaluedMap;
import org.jboss.logging.Logger;
import org.keycloak.OAuth2Constants;
import org.keycloak.OAuthErrorException;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker.AuthorizationCheckException;
import org.keycloak.protocol.oidc.endpoints.request.AuthorizationEndpointRequest;
import org.keycloak.protocol.oidc.endpoints.request.AuthorizationEndpointRequestParserProcessor;
import org.keycloak.representations.idm.ClientPolicyExecutorConfigurationRepresentation;
import org.keycloak.services.clientpolicy.ClientPolicyContext;
import org.keycloak.services.clientpolicy.context.PreAuthorizationRequestContext;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;
import org.keycloak.util.TokenUtil;

/**
 * Keeps the authorization endpoint from redirecting errors to an https redirect URI of a dynamic client the user
 * has not consented to (see {@link ErrorRedirects}); such errors are shown on Keycloak's error page.
 *
 * <p>Keycloak's authorization endpoint redirects its errors itself, so on PRE_AUTHORIZATION_REQUEST (after the
 * client ID metadata document executor has created or refreshed the client) this executor runs the endpoint's
 * own request parser and checks, in the endpoint's order, with the same Keycloak classes. When one of them fails
 * for such a client, the error page is shown before the endpoint would redirect. {@code prompt=none} can only
 * end in an error for such a client (login or consent would be needed), so it is answered on the error page too.
 * Anything else (unknown client, redirect URI not registered) is left to Keycloak, which shows its error page.
 */
public class UntrustedRedirectErrorExecutor implements ClientPolicyExecutorProvider<ClientPolicyExecutorConfigurationRepresentation> {

    private static final Logger LOG = Logger.getLogger(UntrustedRedirectErrorExecutor.class);

    static final String LOGIN_REQUIRED = "login_required";

    private final KeycloakSession session;

    public UntrustedRedirectErrorExecutor(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void executeOnEvent(ClientPolicyContext context) {
        if (!(context instanceof PreAuthorizationRequestContext pre) || pre.getClientId() == null) {
            return;
        }
        RealmModel realm = session.getContext().getRealm();
        if (!McpRealm.isEnabled(realm)) {
            return;
        }
        if (pre.getRequestParameters() != null
                && ErrorRedirects.hasInvalidPort(pre.getRequestParameters().getFirst(OAuth2Constants.REDIRECT_URI))) {
            // Keycloak's any-port match of loopback redirect URIs (RFC 8252 §7.3) would accept :0 or :99999; no
            // client can listen there, so it is no redirect target at all: the error page, for every client.
            throw ErrorRedirects.errorPage(session, OAuthErrorException.INVALID_REQUEST, "redirect_uri has an invalid port");
        }
        ClientModel client = session.clients().getClientByClientId(realm, pre.getClientId());
        if (!DynamicClients.isDynamic(client) || !client.isEnabled() || client.isBearerOnly()
                || !OIDCLoginProtocol.LOGIN_PROTOCOL.equals(client.getProtocol())) {
            return;
        }
        ClientModel previous = session.getContext().getClient();
        session.getContext().setClient(client);
        try {
            check(realm, client, pre.getRequestParameters());
        } finally {
            session.getContext().setClient(previous);
        }
    }

    private void check(RealmModel realm, ClientModel client, MultivaluedMap<String, String> params) {
        if (params.getFirst(OIDCLoginProtocol.REQUEST_PARAM) == null && params.getFirst(OIDCLoginProtocol.REQUEST_URI_PARAM) == null
                && ErrorRedirects.staysOnDevice(params.getFirst(OIDCLoginProtocol.REDIRECT_URI_PARAM))) {
            return; // What native MCP clients send: nothing to parse twice.
        }
        // The endpoint runs all of this again and records its own events; this run records nothing.
        EventBuilder silent = new SilentEventBuilder(realm, session).event(EventType.LOGIN).client(client);
        AuthorizationEndpointRequest request;
        try {
            request = AuthorizationEndpointRequestParserProcessor.parseRequest(silent, session, client, params,
                    AuthorizationEndpointRequestParserProcessor.EndpointType.OIDC_AUTH_ENDPOINT);
        } catch (WebApplicationException unreadable) {
            return; // Keycloak shows its error page for a request it cannot parse.
        }
        AuthorizationEndpointChecker checker = new AuthorizationEndpointChecker()
                .event(silent).client(client).realm(realm).request(request).session(session).params(params);
        try {
            checker.checkRedirectUri();
        } catch (AuthorizationCheckException e) {
            return; // Keycloak shows its error page for an unregistered redirect URI.
        }
        String redirectUri = checker.getRedirectUri();
        if (ErrorRedirects.staysOnDevice(redirectUri)) {
            return;
        }
        String error = null;
        String description = null;
        try {
            if (KeycloakCompat.has(KeycloakCompat.Capability.AUTHORIZATION_CHECK_SPI)) {
                EndpointChecks.run(checker);
            } else {
                // Before 26.7: the checks that release's endpoint runs, in its order, then the MCP checks its
                // mcp-authorization-checks executor runs (AuthorizationChecksExecutor).
                checker.checkResponseType();
                checker.checkParRequired();
                checker.checkInvalidRequestMessage();
                checker.checkOIDCRequest();
                checker.checkValidScope();
                checker.checkOIDCParams();
                checker.checkPKCEParams();
                McpChecks.checkAuthorization(new McpChecks.AuthorizationRequest(session, realm, client,
                        AuthorizationChecksExecutor.resourceOf(request, params), request.getScope(), request.getPrompt()));
            }
        } catch (AuthorizationCheckException e) {
            error = e.getError();
            description = e.getErrorDescription();
        } catch (McpRejection e) {
            error = e.error();
            description = e.description();
        }
        if (error == null && TokenUtil.hasPrompt(request.getPrompt(), OIDCLoginProtocol.PROMPT_VALUE_NONE)) {
            error = LOGIN_REQUIRED;
            description = "prompt=none: the user must sign in and consent to this client first";
        }
        if (error == null || ErrorRedirects.mayRedirect(session, realm, client, redirectUri)) {
            return; // No error, or one Keycloak may redirect: the endpoint runs the same checks again.
        }
        LOG.debugf("Error %s for client %s shown on the error page instead of redirecting to %s",
                error, client.getClientId(), redirectUri);
        new EventBuilder(realm, session, session.getContext().getConnection())
                .event(EventType.LOGIN).client(client).detail(Details.REDIRECT_URI, redirectUri)
                .detail(Details.REASON, description == null ? error : description).error(error);
        throw ErrorRedirects.errorPage(session, error, description);
    }

    /** The 26.7 endpoint's checks, in its order. Keycloak 26.7+ only: never loaded without its check SPI. */
    private static final class EndpointChecks {
        static void run(AuthorizationEndpointChecker checker) throws AuthorizationCheckException {
            checker.checkResponseType();
            checker.checkParRequired();
            checker.checkInvalidRequestMessage();
            checker.checkAuthorizationDetails();
            checker.checkOIDCRequest();
            checker.checkValidScope();
            checker.checkValidResource();
            checker.checkOIDCParams();
            checker.checkPKCEParams();
            checker.checkProviderAddOns();
        }
    }

    /** Collects what the endpoint's checks record without sending it: they run again, for real, in the endpoint. */
    private static final class SilentEventBuilder extends EventBuilder {

        SilentEventBuilder(RealmModel realm, KeycloakSession session) {
            super(realm, session);
        }

        @Override
        public void success() {
        }

        @Override
        public void error(String error) {
        }
    }

    @Override
    public String getProviderId() {
        return UntrustedRedirectErrorExecutorFactory.ID;
    }
}
