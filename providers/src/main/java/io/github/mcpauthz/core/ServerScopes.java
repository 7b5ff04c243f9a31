package io.github.mcpauthz.core;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;

/**
 * The OAuth scopes of the registered MCP servers, as Keycloak client scopes.
 *
 * <p>A server's scopes cost a client nothing until the client is authorized for that server: they are not realm
 * default scopes (which Keycloak gives to every new client, and walks on every token request), but are attached to a
 * client as optional scopes on its first authorization request for the server ({@link #attach}). So a client carries
 * the scopes of the servers it uses, whether the realm has 10 servers or 10,000. A scope is created when the first
 * client gets it ({@link OnDemandScopes}), not when the realm is enabled or the server registered, so neither costs
 * anything per server.
 *
 * <p>A scope the extension creates gets an id derived from the realm and the scope name ({@link #id}), so it is found
 * with one lookup by id in Keycloak's realm cache, equal on every node; no scan of the realm's client scopes. A scope
 * an admin made before (any id) is found by name once per node and remembered by id; the remembered id is checked on
 * every use, so a scope deleted or renamed on another node is never used.
 */
public final class ServerScopes {

    private static final Logger LOG = Logger.getLogger(ServerScopes.class);

    /** Per-node memory of client scopes an admin created (random ids), keyed by realm id and scope name. */
    private static final Map<String, String> ADMIN_MADE = new ConcurrentHashMap<>();

    private ServerScopes() {
    }

    /** The id the extension gives the client scope {@code name} of a realm: a name-based UUID, equal on every node. */
    public static String id(String realmId, String name) {
        String key = "keycloak-mcp-authz scope\n" + realmId + "\n" + name;
        return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The realm's client scope called {@code name}, or null. One cached lookup by id, except once per admin-made scope. */
    public static ClientScopeModel find(RealmModel realm, String name) {
        ClientScopeModel scope = realm.getClientScopeById(id(realm.getId(), name));
        if (scope != null && name.equals(scope.getName())) {
            return scope;
        }
        String key = realm.getId() + "\n" + name;
        String remembered = ADMIN_MADE.get(key);
        if (remembered != null) {
            scope = realm.getClientScopeById(remembered);
            if (scope != null && name.equals(scope.getName())) {
                return scope;
            }
            ADMIN_MADE.remove(key);
        }
        scope = realm.getClientScopesStream().filter(s -> name.equals(s.getName())).findFirst().orElse(null);
        if (scope != null) {
            ADMIN_MADE.put(key, scope.getId());
        }
        return scope;
    }

    /**
     * Creates the scope {@code name} of {@code server} now, in a transaction of its own (see {@link OnDemandScopes}):
     * when a client first needs it, never when the realm is enabled or the server registered. Safe when another request
     * or node creates it at the same moment: then that one's scope is returned.
     */
    static ClientScopeModel create(KeycloakSession session, RealmModel realm, String name, McpServer server) {
        String description = "Scope " + name + " of MCP server " + server.resource().uri();
        String consentText = name + " (" + server.name() + ")";
        return OnDemandScopes.create(session, realm, id(realm.getId(), name), name, scope -> {
            scope.setProtocol(OIDCLoginProtocol.LOGIN_PROTOCOL);
            scope.setDescription(description);
            scope.setDisplayOnConsentScreen(true);
            scope.setConsentScreenText(consentText);
            scope.setIncludeInTokenScope(true);
        }, () -> find(realm, name));
    }

    /**
     * Creates those of the server's scopes that do not exist yet, without attaching them: for a server that clients
     * without an authorization request use (machine clients), so that an admin can give them its scopes.
     */
    public static void createMissing(KeycloakSession session, RealmModel realm, McpServer server) {
        for (String name : server.scopes()) {
            if (find(realm, name) == null) {
                create(session, realm, name, server);
            }
        }
    }

    /**
     * Attaches the server's scopes the client lacks as optional client scopes (creating a scope that does not exist
     * yet: the first client of the server, or an admin removed it), so that the client may request them. Reads only the client's own scopes when nothing is missing.
     *
     * @return true when the client was changed
     */
    public static boolean attach(KeycloakSession session, RealmModel realm, ClientModel client, McpServer server) {
        Map<String, McpServer> wanted = new HashMap<>();
        server.scopes().forEach(name -> wanted.put(name, server));
        return attachMissing(session, realm, client, wanted);
    }

    /**
     * Attaches the named server scopes to the client as optional scopes (a dynamic client that asked for them when it
     * registered). Names that are no server's scope are ignored.
     */
    public static void attachNamed(KeycloakSession session, RealmModel realm, ClientModel client, McpServerIndex index,
                                   Collection<String> names) {
        Map<String, McpServer> wanted = new HashMap<>();
        for (String name : names) {
            List<McpServer> servers = index.serversWithScope(name);
            if (!servers.isEmpty()) {
                wanted.put(name, servers.get(0));
            }
        }
        attachMissing(session, realm, client, wanted);
    }

    /** Attaches those of {@code wanted} (scope name to a server that has it) that the client has neither way. */
    private static boolean attachMissing(KeycloakSession session, RealmModel realm, ClientModel client,
                                         Map<String, McpServer> wanted) {
        if (wanted.isEmpty()) {
            return false;
        }
        Map<String, ClientScopeModel> optional = client.getClientScopes(false);
        Map<String, ClientScopeModel> defaults = null;
        Set<ClientScopeModel> missing = new HashSet<>();
        for (Map.Entry<String, McpServer> entry : wanted.entrySet()) {
            String name = entry.getKey();
            if (optional.containsKey(name)) {
                continue;
            }
            if (defaults == null) {
                defaults = client.getClientScopes(true);
            }
            if (defaults.containsKey(name)) {
                continue;
            }
            ClientScopeModel scope = find(realm, name);
            missing.add(scope != null ? scope : create(session, realm, name, entry.getValue()));
        }
        if (missing.isEmpty()) {
            return false;
        }
        if (!attachInOwnTransaction(session, realm, client, missing)) {
            client.addClientScopes(missing, false);
        }
        return true;
    }

    /**
     * Attaches {@code missing} to a client that already exists in the database in a short transaction of its own, so
     * that concurrent first requests of one client (on one node or several) do not both insert the same mapping in
     * their request's transaction, where the loser's commit would fail (HTTP 500). The loser of such a race finds the
     * mapping there once the winner committed. False when the client is not committed yet (it is being created in
     * this request: no one else can see it) or the attempt failed without the mapping existing: then the caller
     * attaches in the request's transaction, as before.
     */
    private static boolean attachInOwnTransaction(KeycloakSession session, RealmModel realm, ClientModel client,
                                                  Set<ClientScopeModel> missing) {
        String realmId = realm.getId();
        String clientId = client.getId();
        Set<String> scopeIds = new HashSet<>();
        missing.forEach(scope -> scopeIds.add(scope.getId()));
        boolean[] found = new boolean[1];
        try {
            KeycloakModelUtils.runJobInTransaction(session.getKeycloakSessionFactory(), own -> {
                RealmModel ownRealm = own.realms().getRealm(realmId);
                ClientModel ownClient = ownRealm == null ? null : ownRealm.getClientById(clientId);
                if (ownClient == null) {
                    return;
                }
                found[0] = true;
                own.getContext().setRealm(ownRealm);
                Set<String> have = new HashSet<>(ownClient.getClientScopes(false).keySet());
                have.addAll(ownClient.getClientScopes(true).keySet());
                Set<ClientScopeModel> add = new HashSet<>();
                for (String id : scopeIds) {
                    ClientScopeModel scope = ownRealm.getClientScopeById(id);
                    if (scope != null && !have.contains(scope.getName())) {
                        add.add(scope);
                    }
                }
                if (!add.isEmpty()) {
                    ownClient.addClientScopes(add, false);
                }
            });
        } catch (RuntimeException e) {
            // Most likely another request attached the same scopes at the same moment: check below.
            LOG.debugf(e, "Attaching server scopes to client %s in a transaction of its own failed", client.getClientId());
            found[0] = false;
        }
        if (found[0]) {
            return true;
        }
        // The committed state, as this request's session sees it now (the other transaction invalidated the cache).
        Map<String, ClientScopeModel> optional = client.getClientScopes(false);
        Map<String, ClientScopeModel> defaults = client.getClientScopes(true);
        return !missing.isEmpty() && missing.stream()
                .allMatch(scope -> optional.containsKey(scope.getName()) || defaults.containsKey(scope.getName()));
    }

    /**
     * True when {@code name} is a scope of a registered server other than {@code server} (and not also one of
     * {@code server}'s): a token for {@code server} must not carry it. OIDC and other realm scopes are never foreign.
     */
    public static boolean isForeign(McpServerIndex index, McpServer server, String name) {
        return index.isServerScope(name) && !server.scopes().contains(name);
    }

    /** {@code scopeParameter} without the {@linkplain #isForeign foreign} scopes; the same string when there are none. */
    public static String withoutForeign(McpServerIndex index, McpServer server, String scopeParameter) {
        if (scopeParameter == null || scopeParameter.isBlank()) {
            return scopeParameter;
        }
        String[] names = scopeParameter.split(" ");
        StringBuilder kept = new StringBuilder();
        boolean dropped = false;
        for (String name : names) {
            if (isForeign(index, server, name)) {
                dropped = true;
            } else if (!name.isEmpty()) {
                kept.append(kept.length() == 0 ? "" : " ").append(name);
            }
        }
        return dropped ? kept.toString() : scopeParameter;
    }

    /**
     * Removes the servers' scopes from the realm's default scopes, where versions before 0.3 put them (every new
     * client then got every server's scopes). Clients that have them keep them.
     */
    public static void removeFromRealmDefaults(RealmModel realm, McpServerIndex index) {
        realm.getDefaultClientScopesStream(false)
                .filter(scope -> index.isServerScope(scope.getName()) && scope.getDescription() != null
                        && scope.getDescription().startsWith("Scope " + scope.getName() + " of MCP server "))
                .toList()
                .forEach(realm::removeDefaultClientScope);
    }
}
