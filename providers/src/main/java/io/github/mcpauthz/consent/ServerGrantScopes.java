package io.github.mcpauthz.consent;

import io.github.mcpauthz.registry.McpServer;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;

/**
 * One hidden client scope per MCP server, standing for "this client may get tokens for this server". Keycloak
 * stores consent per user and client as a set of granted client scopes; adding the server's grant scope to the
 * scopes of an authorization request for that server makes Keycloak ask for consent per MCP server, remember it,
 * and forget it when the user revokes the client's access.
 */
public final class ServerGrantScopes {

    public static final String PREFIX = "mcp-server:";
    /** Client scope attribute naming the server component the grant scope stands for. */
    public static final String SERVER_ATTRIBUTE = "mcp.server.id";

    private ServerGrantScopes() {
    }

    public static String name(McpServer server) {
        return PREFIX + server.id();
    }

    public static boolean isGrantScope(ClientScopeModel scope) {
        return scope != null && scope.getName() != null && scope.getName().startsWith(PREFIX);
    }

    /**
     * The server's grant scope among the client's own scopes, or null when it was never attached to the client (then
     * the user cannot have consented to it). A lookup in the client's scope map: the realm's client scopes, which
     * grow with the number of MCP servers, are not scanned on the authorization path.
     */
    public static ClientScopeModel attached(ClientModel client, McpServer server) {
        String name = name(server);
        ClientScopeModel scope = client.getClientScopes(false).get(name);
        return scope != null ? scope : client.getClientScopes(true).get(name);
    }

    /** Creates or updates the server's grant scope. */
    public static ClientScopeModel ensure(RealmModel realm, McpServer server) {
        ClientScopeModel scope = KeycloakModelUtils.getClientScopeByName(realm, name(server));
        if (scope == null) {
            scope = realm.addClientScope(name(server));
            scope.setProtocol(OIDCLoginProtocol.LOGIN_PROTOCOL);
            scope.setIncludeInTokenScope(false);
            scope.setDisplayOnConsentScreen(true);
            scope.setAttribute(SERVER_ATTRIBUTE, server.id());
        }
        scope.setDescription("Consent to issue tokens for MCP server " + server.resource().uri()
                + " (managed by keycloak-mcp-authz)");
        scope.setConsentScreenText(server.name() + " (" + server.resource().uri() + ")");
        return scope;
    }

    public static void remove(RealmModel realm, String serverId) {
        ClientScopeModel scope = KeycloakModelUtils.getClientScopeByName(realm, PREFIX + serverId);
        if (scope != null) {
            try {
                realm.removeClientScope(scope.getId());
            } catch (RuntimeException e) {
                // Still referenced; harmless, as no server resolves to it any more.
            }
        }
    }
}
