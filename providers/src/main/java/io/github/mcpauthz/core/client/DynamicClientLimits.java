package io.github.mcpauthz.core.client;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;

import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.metamodel.EntityType;
import io.github.mcpauthz.core.Database;
import org.jboss.logging.Logger;
import org.keycloak.common.util.Time;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ModelException;
import org.keycloak.models.RealmModel;

/**
 * The limits every creation of a dynamic client passes, by DCR or from a client ID metadata document: a rate per
 * source (an IPv4 address or an IPv6 /64) and per document host, counted cluster-wide, and the realm's cap on dynamic
 * clients, checked atomically across the cluster after the client is created and before it is committed.
 */
public final class DynamicClientLimits {

    private static final Logger LOG = Logger.getLogger(DynamicClientLimits.class);

    /** Keycloak's JPA connection SPI; looked up by name because keycloak-model-jpa's POM cannot be resolved from Maven Central. */
    static final long LOCK_TIMEOUT_MS = 30_000;

    private DynamicClientLimits() {
    }

    /** Thrown when the cap cannot be checked (the database refused the creation or the lock); nothing is committed. */
    public static final class CapUnavailable extends RuntimeException {
        CapUnavailable(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    /**
     * The rate-limit source of an address: an IPv4 address as it is; an IPv6 address by its /64 prefix, since one
     * host usually owns a whole /64 and can pick any address in it. IPv4-mapped IPv6 addresses count as IPv4.
     * Anything that is not an IP literal is used as it is.
     */
    public static String sourceKey(String address) {
        if (address == null || address.isBlank()) {
            return "unknown";
        }
        String literal = address.strip();
        if (literal.startsWith("[") && literal.endsWith("]")) {
            literal = literal.substring(1, literal.length() - 1);
        }
        int zone = literal.indexOf('%');
        if (zone >= 0) {
            literal = literal.substring(0, zone);
        }
        if (literal.indexOf(':') < 0 && !literal.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return literal;
        }
        try {
            // A literal never causes a DNS lookup.
            byte[] bytes = InetAddress.getByName(literal).getAddress();
            if (bytes.length == 4) {
                return InetAddress.getByAddress(bytes).getHostAddress();
            }
            return HexFormat.of().formatHex(bytes, 0, 8) + "::/64";
        } catch (UnknownHostException e) {
            return literal;
        }
    }

    /** Seconds until the fixed window that holds now ends (at least 1). */
    public static long retryAfter(long window) {
        return Math.max(1, window - (Time.currentTime() % window));
    }

    /**
     * Takes one of {@code limit} numbered slots of the current fixed window of {@code window} seconds for the counter
     * {@code counter}. putIfAbsent on Keycloak's cluster-wide single-use-object store makes each slot count exactly
     * once across nodes. False when every slot is taken.
     */
    public static boolean takeSlot(KeycloakSession session, String counter, int limit, long window) {
        long windowIndex = Time.currentTime() / window;
        String prefix = counter + ":" + windowIndex + ":";
        for (int slot = 0; slot < limit; slot++) {
            if (session.singleUseObjects().putIfAbsent(prefix + slot, window)) {
                return true;
            }
        }
        return false;
    }

    /** Counter of registrations from one source in a realm (shared by DCR and metadata documents). */
    public static String addressCounter(RealmModel realm, String address) {
        return "mcp-dcr-rate:" + realm.getId() + ":" + sourceKey(address);
    }

    /** Counter of clients created from one metadata document host in a realm. */
    public static String hostCounter(RealmModel realm, String host) {
        return "mcp-cimd-host-rate:" + realm.getId() + ":" + host;
    }

    /**
     * A quick check before a creation, without a lock: whether the realm has fewer than {@code max} dynamic clients
     * now. It spares a full creation when the realm is already full; the check that makes the cap hold is
     * {@link #admit}, after the creation.
     */
    public static boolean hasRoom(KeycloakSession session, RealmModel realm, int max) {
        if (max <= 0) {
            return true;
        }
        EntityManager em = Database.entityManager(session);
        if (em == null) {
            return DynamicClients.stream(session, realm, max).count() < max;
        }
        try {
            return countDynamic(em, realm, null) < max;
        } catch (PersistenceException | ModelException e) {
            session.getTransactionManager().setRollbackOnly();
            throw new CapUnavailable("the realm's dynamic client count could not be read", e);
        }
    }

    /**
     * The check that makes the realm's cap atomic, across the nodes of a cluster sharing the database; the one place
     * DCR and metadata documents take it. Call it with the just-created client, as the last step of the
     * creation's transaction before it commits. Writes the creation to the database, then takes a pessimistic write
     * lock on the realm's cap row (see {@link #lockCapRow}), held until the transaction ends, then counts the
     * realm's other dynamic clients in the database. Under read committed, a statement run after the lock is granted
     * sees every client committed by the transactions that held it before, so the creations that pass are
     * serialized and never exceed the cap. The lock is held only for the count and the commit.
     *
     * @return whether the realm's dynamic clients, {@code created} included, stay within {@code max}; when false,
     *         the transaction is marked rollback-only, so nothing of the creation is committed
     * @throws CapUnavailable when the database refused the write or the lock (the transaction is rollback-only)
     */
    public static boolean admit(KeycloakSession session, RealmModel realm, ClientModel created, int max) {
        if (max <= 0) {
            return true;
        }
        boolean within;
        EntityManager em = Database.entityManager(session);
        if (em == null) {
            LOG.debug("No JPA store: the dynamic client cap is checked without a database lock");
            within = DynamicClients.stream(session, realm, null).filter(c -> !c.getId().equals(created.getId())).count() < max;
        } else {
            try {
                em.flush(); // The creation's statements run before the lock, not while it is held.
                lockCapRow(em, realm);
                within = countDynamic(em, realm, created.getId()) < max;
            } catch (PersistenceException | ModelException e) {
                // Keycloak's EntityManager turns a lock timeout or a constraint violation into a ModelException. The
                // database has aborted the transaction by then: roll it back at the end of the request instead of
                // failing its commit (HTTP 500).
                session.getTransactionManager().setRollbackOnly();
                throw new CapUnavailable("the realm's dynamic client count could not be checked", e);
            }
        }
        if (!within) {
            session.getTransactionManager().setRollbackOnly();
            LOG.infof("Realm %s is at its cap of %d dynamic clients: the creation of %s, checked under the cap's lock, "
                    + "is rolled back", realm.getName(), max, created.getClientId());
        }
        return within;
    }

    /** The realm's dynamic clients in the database (committed ones and this transaction's), without {@code except}. */
    private static long countDynamic(EntityManager em, RealmModel realm, String except) {
        Long count = em.createQuery("select count(a) from ClientAttributeEntity a "
                        + "where a.name = :name and a.client.realmId = :realm and a.client.id <> :except", Long.class)
                .setParameter("name", DynamicClients.DYNAMIC)
                .setParameter("realm", realm.getId())
                .setParameter("except", except == null ? "" : except)
                .getSingleResult();
        return count == null ? 0 : count;
    }

    /**
     * Locks the one database row that serializes a realm's dynamic-client creations on every node: the realm's
     * anonymous {@code mcp-dynamic-client-limits} policy component (the one with the smallest id, should there be
     * several), or the realm's own row when the realm has none. Nothing a creation writes refers to a component by
     * a foreign key, so two creations holding their own new rows cannot wait for each other's lock, and edits of the
     * realm's settings are not held up.
     */
    private static void lockCapRow(EntityManager em, RealmModel realm) {
        String componentId = realm.getComponentsStream(realm.getId(), DynamicClients.POLICY_TYPE)
                .filter(c -> RegistrationSettings.LIMITS_POLICY_ID.equals(c.getProviderId()) && "anonymous".equals(c.getSubType()))
                .map(ComponentModel::getId)
                .min(Comparator.naturalOrder())
                .orElse(null);
        if (componentId == null || lock(em, "ComponentEntity", componentId) == null) {
            if (lock(em, "RealmEntity", realm.getId()) == null) {
                throw new PersistenceException("the realm's row was not found");
            }
        }
    }

    private static Object lock(EntityManager em, String entityName, String id) {
        EntityType<?> entity = em.getMetamodel().getEntities().stream()
                .filter(e -> e.getName().equals(entityName))
                .findFirst()
                .orElseThrow(() -> new PersistenceException(entityName + " is not a JPA entity"));
        return em.find(entity.getJavaType(), id, LockModeType.PESSIMISTIC_WRITE,
                Map.of("jakarta.persistence.lock.timeout", LOCK_TIMEOUT_MS));
    }

    /** The description of a refusal for the per-address rate (IPv6 addresses count per /64). */
    public static String tooManyFromAddress(String address, int perAddress, long window, long retryAfter) {
        String source = sourceKey(address);
        return "Too many client registrations from " + (source.endsWith("/64") ? "the network of " : "") + address
                + " (at most " + perAddress + " per " + window + " seconds); try again in " + retryAfter + " seconds";
    }

    /** The description of a refusal for the realm's cap. */
    public static String capReached(int max) {
        return "This realm has reached its limit of " + max + " dynamically registered clients; "
                + "ask its administrator to raise the limit or remove unused clients";
    }

}
