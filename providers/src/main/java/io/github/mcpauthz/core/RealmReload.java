package io.github.mcpauthz.core;

import jakarta.persistence.EntityManager;
import jakarta.persistence.FlushModeType;
import org.jboss.logging.Logger;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Reloads a realm into Keycloak's realm cache right after a change to its MCP servers is committed, on the node that
 * made it, so that the next request (the next server an admin adds, a token request) finds the realm cached.
 *
 * <p>Servers are realm components, and Keycloak's cached realm holds all of them: after any change of the realm, the
 * first request on each node reloads it. Keycloak's JPA realm reads each component's configuration in a query of its
 * own (in batches of a few components), which with 10,000 servers took about a second. Here the reload first reads
 * every component of the realm with its configuration in one query, in the same persistence context, so that
 * Keycloak's reload finds them loaded. Best effort: a failure only leaves the reload to the next request.
 */
public final class RealmReload extends AbstractKeycloakTransaction {

    private static final Logger LOG = Logger.getLogger(RealmReload.class);
    /** Hibernate's query hint: no snapshot of the loaded entities is kept for dirty checking. */
    private static final String READ_ONLY = "org.hibernate.readOnly";
    private static final String ENLISTED = RealmReload.class.getName() + ".";

    private final KeycloakSessionFactory factory;
    private final String realmId;

    private RealmReload(KeycloakSessionFactory factory, String realmId) {
        this.factory = factory;
        this.realmId = realmId;
    }

    /** Reloads the realm once the session's transaction has committed (once per transaction and realm). */
    public static void afterCommit(KeycloakSession session, RealmModel realm) {
        String key = ENLISTED + realm.getId();
        if (session.getAttribute(key) != null) {
            return;
        }
        session.setAttribute(key, Boolean.TRUE);
        session.getTransactionManager().enlistAfterCompletion(new RealmReload(session.getKeycloakSessionFactory(),
                realm.getId()));
    }

    @Override
    protected void commitImpl() {
        reload(factory, realmId);
    }

    @Override
    protected void rollbackImpl() {
        // Nothing changed.
    }

    static void reload(KeycloakSessionFactory factory, String realmId) {
        long start = System.nanoTime();
        try {
            KeycloakModelUtils.runJobInTransaction(factory, session -> {
                EntityManager em = Database.entityManager(session);
                if (em != null) {
                    em.createQuery("select c from ComponentEntity c left join fetch c.componentConfigs "
                                    + "where c.realm.id = :realm", Object.class)
                            .setParameter("realm", realmId)
                            .setFlushMode(FlushModeType.COMMIT)
                            .setHint(READ_ONLY, Boolean.TRUE)
                            .getResultList();
                }
                RealmModel realm = session.realms().getRealm(realmId);
                if (realm != null) {
                    McpServerRegistry.index(realm);
                }
                // Only read: ending the transaction without a commit spares the flush's walk over every entity the
                // reload loaded. The realm is in Keycloak's cache already (put there when it was loaded).
                session.getTransactionManager().setRollbackOnly();
            });
            LOG.debugf("Reloaded realm %s after a change of its MCP servers in %d ms", realmId,
                    (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException e) {
            LOG.debugf(e, "Could not reload realm %s after a change of its MCP servers", realmId);
        }
    }
}
