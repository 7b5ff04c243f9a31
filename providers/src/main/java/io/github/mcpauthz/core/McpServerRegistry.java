package io.github.mcpauthz.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;
import org.keycloak.models.RealmModel;
import org.keycloak.services.ui.extend.UiPageProvider;

/**
 * Per-realm, per-node cache of the MCP servers registered in a realm.
 *
 * <p>Servers are stored as realm components (see {@link McpServerConfig}). Every change to them
 * writes a fresh random value to the realm attribute {@value #REVISION_ATTRIBUTE}. A lookup compares that
 * attribute (read from Keycloak's realm cache, which is invalidated cluster-wide on any realm change) with
 * the revision the cached index was built from, and rebuilds only when they differ. So the hot path is a
 * map read and a string comparison, no database query and no scan of clients or components, and a change
 * made on one node is seen by every node on its next request.
 */
public final class McpServerRegistry {

    public static final String REVISION_ATTRIBUTE = "mcp.servers.revision";
    public static final String COMPONENT_TYPE = McpServerConfig.COMPONENT_TYPE;

    /**
     * Client session context attribute (a resource URI) by which a grant without an authorization request binds the
     * token to a registered server it checked itself (the ID-JAG grant: the assertion's {@code resource}).
     */
    public static final String GRANT_BOUND_RESOURCE = "mcp.grant-bound-resource";

    private static final Logger LOG = Logger.getLogger(McpServerRegistry.class);
    private static final Map<String, Snapshot> SNAPSHOTS = new ConcurrentHashMap<>();

    private record Snapshot(String revision, McpServerIndex index) {
    }

    private McpServerRegistry() {
    }

    /** The realm's current index; rebuilt from the realm's components only after a change. */
    public static McpServerIndex index(RealmModel realm) {
        String revision = realm.getAttribute(REVISION_ATTRIBUTE);
        Snapshot snapshot = SNAPSHOTS.get(realm.getId());
        if (snapshot != null && java.util.Objects.equals(snapshot.revision(), revision)) {
            return snapshot.index();
        }
        McpServerIndex index = new McpServerIndex(loadServers(realm));
        SNAPSHOTS.put(realm.getId(), new Snapshot(revision, index));
        LOG.debugf("Indexed %d MCP servers of realm %s (revision %s)", index.size(), realm.getName(), revision);
        return index;
    }

    /** Marks the realm's registry as changed, on every node of the cluster. */
    public static void markChanged(RealmModel realm) {
        realm.setAttribute(REVISION_ATTRIBUTE, UUID.randomUUID().toString());
    }

    /** Drops this node's cached index of a removed realm. */
    public static void forget(String realmId) {
        SNAPSHOTS.remove(realmId);
    }

    /** All servers of the realm, read from its components (admin paths only; requests use {@link #index}). */
    public static List<McpServer> loadServers(RealmModel realm) {
        List<McpServer> servers = new ArrayList<>();
        realm.getComponentsStream(realm.getId(), COMPONENT_TYPE)
                .filter(c -> McpServerConfig.PROVIDER_ID.equals(c.getProviderId()))
                .forEach(c -> {
                    try {
                        servers.add(McpServerConfig.toServer(c));
                    } catch (InvalidResourceException | IllegalArgumentException e) {
                        LOG.warnf("Ignoring MCP server component %s of realm %s: %s", c.getId(), realm.getName(), e.getMessage());
                    }
                });
        return servers;
    }
}
