package io.github.mcpauthz.audience;

import java.util.List;

import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.McpServerRegistry;
import io.github.mcpauthz.core.ResourceBinding;
import io.github.mcpauthz.core.ServerScopes;
import jakarta.ws.rs.core.MultivaluedMap;
import org.keycloak.OAuth2Constants;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.par.clientpolicy.context.PushedAuthorizationRequestContext;
import io.github.mcpauthz.core.KeycloakCompat;
import org.keycloak.representations.idm.ClientPolicyExecutorConfigurationRepresentation;
import org.keycloak.services.clientpolicy.ClientPolicyContext;
import org.keycloak.services.clientpolicy.context.PreAuthorizationRequestContext;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;

/**
 * Gives a client the scopes of the MCP server its authorization request names (or of the realm's default server),
 * before Keycloak checks the requested {@code scope} against the client's scopes. A server's scopes are not realm
 * default scopes, so a client carries only the scopes of the servers it was authorized for, however many servers the
 * realm has (see {@link ServerScopes}). The client is written once per server; later requests only read its cached
 * scopes. An unknown {@code resource} changes nothing: {@link ResourceAuthorizationCheck} refuses it.
 */
public class ServerScopesExecutor implements ClientPolicyExecutorProvider<ClientPolicyExecutorConfigurationRepresentation> {

    private final KeycloakSession session;

    public ServerScopesExecutor(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void executeOnEvent(ClientPolicyContext context) {
        RealmModel realm = session.getContext().getRealm();
        if (realm == null || !McpRealm.isEnabled(realm)) {
            return;
        }
        if (context instanceof PreAuthorizationRequestContext pre) {
            if (pre.getClientId() != null) {
                attach(session, realm, realm.getClientByClientId(pre.getClientId()), pre.getRequestParameters());
            }
        } else if (context instanceof PushedAuthorizationRequestContext par) {
            // Before 26.7 the PAR context has no client: the endpoint authenticated it into the session context first.
            ClientModel parClient = KeycloakCompat.has(KeycloakCompat.Capability.PAR_CONTEXT_CLIENT)
                    ? ParClient.of(par) : session.getContext().getClient();
            attach(session, realm, parClient, par.getRequestParameters());
        }
    }

    private static void attach(KeycloakSession session, RealmModel realm, ClientModel client, MultivaluedMap<String, String> params) {
        if (client == null || !client.isEnabled() || client.isBearerOnly()) {
            return;
        }
        List<String> resources = params == null ? null : params.get(OAuth2Constants.RESOURCE);
        if (resources != null && resources.size() > 1) {
            return; // Refused as invalid_target.
        }
        McpServer server;
        try {
            server = ResourceBinding.forAuthorization(McpServerRegistry.index(realm),
                    resources == null || resources.isEmpty() ? null : resources.get(0));
        } catch (ResourceBinding.InvalidTargetException e) {
            return; // Refused as invalid_target.
        }
        if (server != null) {
            ServerScopes.attach(session, realm, client, server);
        }
    }

    @Override
    public String getProviderId() {
        return ServerScopesExecutorFactory.ID;
    }

    /** Keycloak 26.7+ only: never loaded without {@link KeycloakCompat.Capability#PAR_CONTEXT_CLIENT}. */
    private static final class ParClient {
        static ClientModel of(PushedAuthorizationRequestContext par) {
            return par.getClient();
        }
    }
}
