package io.github.mcpauthz.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import jakarta.persistence.EntityManager;
import jakarta.persistence.FlushModeType;
import org.jboss.logging.Logger;
import org.keycloak.common.util.MultivaluedHashMap;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

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
        return index(realm, () -> loadServers(realm));
    }

    /**
     * The realm's current index, for the admin paths that hold the database's view of the realm rather than Keycloak's
     * cached one (a component's validation, which Keycloak calls with its JPA realm): after a change the index is
     * rebuilt with {@link #readServers}, in two queries, instead of one query per server's configuration.
     */
    public static McpServerIndex index(KeycloakSession session, RealmModel realm) {
        return index(realm, () -> readServers(session, realm));
    }

    private static McpServerIndex index(RealmModel realm, Supplier<List<McpServer>> servers) {
        String revision = realm.getAttribute(REVISION_ATTRIBUTE);
        Snapshot snapshot = SNAPSHOTS.get(realm.getId());
        if (snapshot != null && java.util.Objects.equals(snapshot.revision(), revision)) {
            return snapshot.index();
        }
        McpServerIndex index = new McpServerIndex(servers.get());
        SNAPSHOTS.put(realm.getId(), new Snapshot(revision, index));
        LOG.debugf("Indexed %d MCP servers of realm %s (revision %s)", index.size(), realm.getName(), revision);
        return index;
    }

    /**
     * Marks the realm's registry as changed, on every node of the cluster; once the change is committed, this node
     * reloads the realm and its index ({@link RealmReload}).
     */
    public static void markChanged(KeycloakSession session, RealmModel realm) {
        realm.setAttribute(REVISION_ATTRIBUTE, UUID.randomUUID().toString());
        RealmReload.afterCommit(session, realm);
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
                .forEach(c -> add(servers, realm, c));
        return servers;
    }

    /**
     * All servers of the realm, read from the database in two queries (the server components, then all their
     * configuration rows): what is committed, and what this transaction has already written to the database (the
     * queries do not flush the transaction's pending changes first: a flush checks every entity the request loaded,
     * which after a realm reload are all the realm's components). For admin paths where the realm is, or has just become, the
     * database's view: reading components through Keycloak's JPA realm loads each one's configuration with its own
     * query, which took seconds with 10,000 servers. Without Keycloak's JPA store, reads through the realm.
     */
    public static List<McpServer> readServers(KeycloakSession session, RealmModel realm) {
        EntityManager em = Database.entityManager(session);
        if (em == null) {
            return loadServers(realm);
        }
        Map<String, ComponentModel> models = new LinkedHashMap<>();
        em.createQuery("select c.id, c.name, c.parentId from ComponentEntity c where c.realm.id = :realm "
                        + "and c.parentId = :realm and c.providerType = :type and c.providerId = :provider", Object[].class)
                .setParameter("realm", realm.getId())
                .setParameter("type", COMPONENT_TYPE)
                .setParameter("provider", McpServerConfig.PROVIDER_ID)
                .setFlushMode(FlushModeType.COMMIT)
                .getResultStream()
                .forEach(row -> {
                    ComponentModel model = new ComponentModel();
                    model.setId((String) row[0]);
                    model.setName((String) row[1]);
                    model.setParentId((String) row[2]);
                    model.setProviderType(COMPONENT_TYPE);
                    model.setProviderId(McpServerConfig.PROVIDER_ID);
                    model.setConfig(new MultivaluedHashMap<>());
                    models.put(model.getId(), model);
                });
        if (!models.isEmpty()) {
            em.createQuery("select cfg.component.id, cfg.name, cfg.value from ComponentConfigEntity cfg "
                            + "where cfg.component.realm.id = :realm and cfg.component.providerType = :type "
                            + "and cfg.component.providerId = :provider", Object[].class)
                    .setParameter("realm", realm.getId())
                    .setParameter("type", COMPONENT_TYPE)
                    .setParameter("provider", McpServerConfig.PROVIDER_ID)
                    .setFlushMode(FlushModeType.COMMIT)
                    .getResultStream()
                    .forEach(row -> {
                        ComponentModel model = models.get((String) row[0]);
                        if (model != null) {
                            model.getConfig().add((String) row[1], (String) row[2]);
                        }
                    });
        }
        List<McpServer> servers = new ArrayList<>(models.size());
        models.values().forEach(c -> add(servers, realm, c));
        return servers;
    }

    private static void add(List<McpServer> servers, RealmModel realm, ComponentModel component) {
        try {
            servers.add(McpServerConfig.toServer(component));
        } catch (InvalidResourceException | IllegalArgumentException e) {
            LOG.warnf("Ignoring MCP server component %s of realm %s: %s", component.getId(), realm.getName(), e.getMessage());
        }
    }
}
