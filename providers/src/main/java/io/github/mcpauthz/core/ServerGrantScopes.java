package io.github.mcpauthz.core;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;

/**
 * One hidden client scope per MCP server, standing for "this client may get tokens for this server". Keycloak
 * stores consent per user and client as a set of granted client scopes; adding the server's grant scope to the
 * scopes of an authorization request for that server (the consent feature's required action) makes Keycloak ask
 * for consent per MCP server, remember it, and forget it when the user revokes the client's access.
 *
 * <p>A grant scope is never attached to a client: a client cannot ask for it in {@code scope} (Keycloak answers
 * {@code invalid_scope}), a consent can only add the grant of the request's own server, and a denial leaves nothing.
 * It is recognised by its attribute {@value #SERVER_ATTRIBUTE}, not by its name, and is not published in discovery.
 *
 * <p>Its id is derived from the realm, the server and the server's resource ({@link #id}): found with one cached
 * lookup by id, never by scanning the realm's client scopes, and new when the server's resource changes, so that
 * consents given for the old resource no longer count. It is created when first needed ({@link #findOrCreate}), not
 * when the realm is enabled or the server registered, and removed with its server or when the resource changes.
 */
public final class ServerGrantScopes {

    public static final String PREFIX = ScopeNames.RESERVED_PREFIX;
    /** Client scope attribute naming the server component the grant scope stands for. */
    public static final String SERVER_ATTRIBUTE = "mcp.server.id";
    /** Client scope attribute holding the resource URI the grant was made for (for admins; not used for checks). */
    public static final String RESOURCE_ATTRIBUTE = "mcp.server.resource";

    /**
     * The ids computed so far (an MD5 each, on every authorization request of a server): a pure function of the key,
     * so never stale; forgotten all at once past {@value #MAX_REMEMBERED_IDS} keys.
     */
    private static final Map<String, String> IDS = new ConcurrentHashMap<>();
    private static final int MAX_REMEMBERED_IDS = 100_000;

    private ServerGrantScopes() {
    }

    public static String name(McpServer server) {
        return PREFIX + server.id();
    }

    /**
     * The id of the grant scope of a server of a realm for its current resource: a name-based UUID of the three, so
     * equal on every node, and different once the resource changes (compared as {@link CanonicalResource#matchKey()}:
     * respelling the same resource does not change it).
     */
    public static String id(String realmId, String serverId, CanonicalResource resource) {
        String key = "keycloak-mcp-authz grant\n" + realmId + "\n" + serverId + "\n" + resource.matchKey();
        String id = IDS.get(key);
        if (id == null) {
            id = UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
            if (IDS.size() >= MAX_REMEMBERED_IDS) {
                IDS.clear();
            }
            IDS.put(key, id);
        }
        return id;
    }

    public static String id(RealmModel realm, McpServer server) {
        return id(realm.getId(), server.id(), server.resource());
    }

    /** True for a grant scope (by its {@value #SERVER_ATTRIBUTE} attribute); false for clients and other scopes. */
    public static boolean isGrantScope(ClientScopeModel scope) {
        return scope != null && !(scope instanceof ClientModel) && scope.getAttribute(SERVER_ATTRIBUTE) != null;
    }

    /** The server's current grant scope, or null when it does not exist (yet). One lookup by id in the realm cache. */
    public static ClientScopeModel find(RealmModel realm, McpServer server) {
        ClientScopeModel scope = realm.getClientScopeById(id(realm, server));
        return scope != null && server.id().equals(scope.getAttribute(SERVER_ATTRIBUTE)) ? scope : null;
    }

    /**
     * The server's current grant scope, created now when it does not exist yet: a grant scope is made when it is first
     * needed (the first consent asked for the server), never when the realm is enabled or the server registered. It
     * is created in a transaction of its own, safe when another request or node creates it at the same moment (see
     * {@link OnDemandScopes}). A leftover of the same name (made for an earlier resource by an earlier version, and not
     * yet cleaned by an enable) blocks the name: it is removed, with the consents to it, and creation tried once more.
     */
    public static ClientScopeModel findOrCreate(KeycloakSession session, RealmModel realm, McpServer server) {
        ClientScopeModel scope = find(realm, server);
        if (scope != null) {
            return scope;
        }
        try {
            return create(session, realm, server);
        } catch (RuntimeException first) {
            if (!removeStale(session, realm, server)) {
                throw first;
            }
            return create(session, realm, server);
        }
    }

    private static ClientScopeModel create(KeycloakSession session, RealmModel realm, McpServer server) {
        return OnDemandScopes.create(session, realm, id(realm, server), name(server), scope -> {
            scope.setProtocol(OIDCLoginProtocol.LOGIN_PROTOCOL);
            configure(scope, server);
        }, () -> find(realm, server));
    }

    /** Removes (in a transaction of its own) a grant scope of the server's name that is not its current one. */
    private static boolean removeStale(KeycloakSession session, RealmModel realm, McpServer server) {
        String name = name(server);
        String current = id(realm, server);
        ClientScopeModel stale = realm.getClientScopesStream()
                .filter(s -> name.equals(s.getName()) && isGrantScope(s) && !current.equals(s.getId())).findFirst().orElse(null);
        if (stale == null) {
            return false;
        }
        String realmId = realm.getId();
        String staleId = stale.getId();
        KeycloakModelUtils.runJobInTransaction(session.getKeycloakSessionFactory(), own -> {
            RealmModel ownRealm = own.realms().getRealm(realmId);
            if (ownRealm != null && ownRealm.getClientScopeById(staleId) != null) {
                own.getContext().setRealm(ownRealm);
                ownRealm.removeClientScope(staleId);
            }
        });
        return true;
    }

    /** Brings an existing grant scope's texts in line with the server (renamed); creates nothing. */
    public static void update(RealmModel realm, McpServer server) {
        ClientScopeModel scope = find(realm, server);
        if (scope != null) {
            configure(scope, server);
        }
    }

    /** Writes only what differs, so that an unchanged scope does not invalidate the realm cache. */
    private static void configure(ClientScopeModel scope, McpServer server) {
        String uri = server.resource().uri();
        setIfDifferent(scope, SERVER_ATTRIBUTE, server.id());
        setIfDifferent(scope, RESOURCE_ATTRIBUTE, uri);
        setIfDifferent(scope, ClientScopeModel.INCLUDE_IN_TOKEN_SCOPE, "false");
        setIfDifferent(scope, ClientScopeModel.DISPLAY_ON_CONSENT_SCREEN, "true");
        setIfDifferent(scope, ClientScopeModel.INCLUDE_IN_OPENID_PROVIDER_METADATA, "false");
        setIfDifferent(scope, ClientScopeModel.CONSENT_SCREEN_TEXT, server.name() + " (" + uri + ")");
        String description = "Consent to issue tokens for MCP server " + uri + " (managed by keycloak-mcp-authz)";
        if (!description.equals(scope.getDescription())) {
            scope.setDescription(description);
        }
    }

    private static void setIfDifferent(ClientScopeModel scope, String attribute, String value) {
        if (!Objects.equals(value, scope.getAttribute(attribute))) {
            scope.setAttribute(attribute, value);
        }
    }

    /**
     * Removes the grant scopes that are no current server's (of removed servers, of earlier resources, of earlier
     * versions of the extension), and with them the consents to them, so users are asked again. One pass over the
     * realm's client scopes; creates nothing (grant scopes are made on first use, {@link #findOrCreate}).
     *
     * @return the number of grant scopes removed
     */
    public static int removeStale(RealmModel realm, Collection<McpServer> servers) {
        Set<String> current = new HashSet<>();
        for (McpServer server : servers) {
            current.add(id(realm, server));
        }
        List<String> stale = realm.getClientScopesStream()
                .filter(scope -> isGrantScope(scope) && !current.contains(scope.getId()))
                .map(ClientScopeModel::getId)
                .toList();
        stale.forEach(realm::removeClientScope);
        return stale.size();
    }

    /** Removes the server's grant scope for {@code resource} (when the server is removed or its resource changes). */
    public static void remove(RealmModel realm, String serverId, CanonicalResource resource) {
        ClientScopeModel scope = realm.getClientScopeById(id(realm.getId(), serverId, resource));
        if (scope != null && serverId.equals(scope.getAttribute(SERVER_ATTRIBUTE))) {
            realm.removeClientScope(scope.getId());
        }
    }
}
