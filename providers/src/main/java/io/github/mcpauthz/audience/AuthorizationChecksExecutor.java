package io.github.mcpauthz.audience;

import java.util.List;

import io.github.mcpauthz.core.KeycloakCompat;
import io.github.mcpauthz.core.KeycloakCompat.Capability;
import io.github.mcpauthz.core.McpChecks;
import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.McpRejection;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import org.keycloak.OAuth2Constants;
import org.keycloak.common.util.Time;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.endpoints.request.AuthorizationEndpointRequest;
import org.keycloak.representations.idm.ClientPolicyExecutorConfigurationRepresentation;
import org.keycloak.services.clientpolicy.ClientPolicyContext;
import org.keycloak.services.clientpolicy.ClientPolicyException;
import org.keycloak.services.clientpolicy.context.AuthorizationRequestContext;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * The MCP authorization-request checks on Keycloak releases without the authorization-endpoint check SPI (before
 * 26.7, {@link Capability#AUTHORIZATION_CHECK_SPI}); on 26.7+ it does nothing (the check providers run there).
 *
 * <p>On {@code AUTHORIZATION_REQUEST} (after Keycloak's own checks, before login) it runs the same rules as the 26.7
 * check providers ({@link McpChecks#checkAuthorization}: resource, grant scopes, passive consent, passive access); a
 * refusal is redirected to the client by Keycloak with {@code error}, {@code error_description}, {@code state} and
 * {@code iss}. Then it records the request's {@code resource} on the authentication session: as the note
 * {@code resource} (the name Keycloak 26.7 uses, which the consent step reads) and, for the code, keyed by its PKCE
 * challenge ({@link CodeResourceNotes}).
 *
 * <p>Before 26.7 {@code resource} is not a parameter Keycloak knows: it is an "additional request parameter" (with a
 * PAR request, only there). When the request has more additional parameters than the realm's limit, Keycloak drops
 * it; the raw query parameter is read then.
 */
public class AuthorizationChecksExecutor implements ClientPolicyExecutorProvider<ClientPolicyExecutorConfigurationRepresentation> {

    private final KeycloakSession session;

    public AuthorizationChecksExecutor(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void executeOnEvent(ClientPolicyContext context) throws ClientPolicyException {
        if (!(context instanceof AuthorizationRequestContext authorization) || KeycloakCompat.has(Capability.AUTHORIZATION_CHECK_SPI)) {
            return;
        }
        RealmModel realm = session.getContext().getRealm();
        if (!McpRealm.isEnabled(realm)) {
            return;
        }
        AuthorizationEndpointRequest request = authorization.getAuthorizationEndpointRequest();
        AuthenticationSessionModel authSession = authorization.getAuthenticationSession();
        ClientModel client = authSession != null ? authSession.getClient() : session.getContext().getClient();
        String resource = resourceOf(request, authorization.isParRequest() ? null : authorization.getRequestParameters());
        try {
            McpChecks.checkAuthorization(new McpChecks.AuthorizationRequest(session, realm, client, resource,
                    request.getScope(), request.getPrompt()));
        } catch (McpRejection e) {
            if (e.user() != null) {
                // Keycloak records the refusal as its client-policy event (error, client_policy_error_detail), without
                // the user; a check that names the user gets its own event too, as on 26.7 (e.g. access denied).
                EventBuilder event = new EventBuilder(realm, session, session.getContext().getConnection())
                        .event(EventType.LOGIN).client(client).user(e.user());
                e.details().forEach(event::detail);
                event.detail(Details.REASON, e.description()).error(e.eventError());
            }
            throw new ClientPolicyException(e.error(), e.description(), Response.Status.BAD_REQUEST);
        }
        if (authSession != null) {
            if (resource != null) {
                authSession.setClientNote(OAuth2Constants.RESOURCE, resource);
            }
            CodeResourceNotes.write(authSession, request.getCodeChallenge(), resource, Time.currentTime());
        }
    }

    /** The request's {@code resource}: Keycloak's additional parameter, else the raw parameter (null with PAR). */
    static String resourceOf(AuthorizationEndpointRequest request, MultivaluedMap<String, String> raw) {
        String parsed = request.getAdditionalReqParams() == null ? null
                : request.getAdditionalReqParams().get(OAuth2Constants.RESOURCE);
        if (parsed != null) {
            return parsed;
        }
        List<String> values = raw == null ? null : raw.get(OAuth2Constants.RESOURCE);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public String getProviderId() {
        return AuthorizationChecksExecutorFactory.ID;
    }
}
