package io.github.mcpauthz.consent;

import io.github.mcpauthz.registry.McpServer;
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
