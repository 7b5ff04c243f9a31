package io.github.mcpauthz.audience;

import io.github.mcpauthz.core.ResourceBinding;
import java.util.List;

import io.github.mcpauthz.core.McpRealm;
import jakarta.ws.rs.core.MultivaluedMap;
import org.keycloak.OAuth2Constants;
import org.keycloak.protocol.oidc.grants.ciba.clientpolicy.context.BackchannelAuthenticationRequestContext;
import org.keycloak.protocol.oidc.grants.device.clientpolicy.context.DeviceAuthorizationRequestContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.representations.idm.ClientPolicyExecutorConfigurationRepresentation;
import org.keycloak.services.clientpolicy.ClientPolicyContext;
import org.keycloak.services.clientpolicy.ClientPolicyException;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;

/**
 * Refuses {@code resource} on the device authorization request (RFC 8628) and the CIBA backchannel authentication
 * request with {@code invalid_target}: neither binds a resource nor asks the user's consent per MCP server, so in an
 * MCP realm their tokens name no MCP server (see {@link ResourceAudiencePostProcessor}). Keycloak answers the
 * exception as a 400 JSON error with this error code.
 */
public class UnboundGrantResourceExecutor implements ClientPolicyExecutorProvider<ClientPolicyExecutorConfigurationRepresentation> {

    private final KeycloakSession session;

    public UnboundGrantResourceExecutor(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void executeOnEvent(ClientPolicyContext context) throws ClientPolicyException {
        if (!McpRealm.isEnabled(session.getContext().getRealm())) {
            return;
        }
        if (context instanceof DeviceAuthorizationRequestContext device) {
            refuseResource(device.getRequestParameters(), "the device authorization grant");
        } else if (context instanceof BackchannelAuthenticationRequestContext ciba) {
            refuseResource(ciba.getRequestParameters(), "client-initiated backchannel authentication");
        }
    }

    private static void refuseResource(MultivaluedMap<String, String> params, String grant) throws ClientPolicyException {
        List<String> resources = params == null ? null : params.get(OAuth2Constants.RESOURCE);
        if (resources != null && !resources.isEmpty()) {
            throw new ClientPolicyException(ResourceBinding.INVALID_TARGET, ResourceBinding.notSupportedFor(grant));
        }
    }

    @Override
    public String getProviderId() {
        return UnboundGrantResourceExecutorFactory.ID;
    }
}
