package io.github.mcpauthz.core.client;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.Map;

import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.metamodel.EntityType;
import org.jboss.logging.Logger;
import org.keycloak.common.util.Time;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ModelException;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.Provider;

/**
 * The limits every creation of a dynamic client passes, by DCR or from a client ID metadata document: a rate per
 * source (an IPv4 address or an IPv6 /64) and per document host, counted cluster-wide, and the realm's cap on dynamic
 * clients, checked and taken atomically across the cluster.
 */
public final class DynamicClientLimits {

    private static final Logger LOG = Logger.getLogger(DynamicClientLimits.class);

    /** Keycloak's JPA connection SPI; looked up by name because keycloak-model-jpa's POM cannot be resolved from Maven Central. */
    static final String JPA_CONNECTION_PROVIDER = "org.keycloak.connections.jpa.JpaConnectionProvider";
    static final long LOCK_TIMEOUT_MS = 30_000;

    private DynamicClientLimits() {
    }

    /** Thrown when the cap cannot be checked (the realm lock was not granted in time). */
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
     * Whether the realm may get one more dynamic client; the one place DCR and metadata documents check the cap.
     * Takes a pessimistic write lock on the realm's database row, held until the transaction that creates the client
     * ends, then counts the realm's dynamic clients in the database: concurrent creations, on any node of a cluster
     * sharing the database, are serialized, so the cap is never exceeded. Call it right before creating the client.
     */
    public static boolean hasRoom(KeycloakSession session, RealmModel realm, int max) {
        if (max <= 0) {
            return true;
        }
        EntityManager em = entityManager(session);
        if (em == null) {
            LOG.debug("No JPA store: the dynamic client cap is checked without a database lock");
            return DynamicClients.stream(session, realm, max).count() < max;
        }
        try {
            lockRealm(em, realm.getId());
            Long count = em.createQuery("select count(a) from ClientAttributeEntity a "
                            + "where a.name = :name and a.client.realmId = :realm", Long.class)
                    .setParameter("name", DynamicClients.DYNAMIC)
                    .setParameter("realm", realm.getId())
                    .getSingleResult();
            return count == null || count < max;
        } catch (PersistenceException | ModelException e) {
            // Keycloak's EntityManager turns a lock timeout into a ModelException. The database has aborted the
            // transaction by then: roll it back at the end of the request instead of failing its commit (HTTP 500).
            session.getTransactionManager().setRollbackOnly();
            throw new CapUnavailable("the realm's dynamic client count could not be checked", e);
        }
    }

    private static void lockRealm(EntityManager em, String realmId) {
        EntityType<?> realmEntity = em.getMetamodel().getEntities().stream()
                .filter(e -> e.getName().equals("RealmEntity"))
                .findFirst()
                .orElseThrow(() -> new PersistenceException("RealmEntity is not a JPA entity"));
        em.find(realmEntity.getJavaType(), realmId, LockModeType.PESSIMISTIC_WRITE,
                Map.of("jakarta.persistence.lock.timeout", LOCK_TIMEOUT_MS));
    }

    @SuppressWarnings("unchecked")
    private static EntityManager entityManager(KeycloakSession session) {
        try {
            Class<? extends Provider> type = (Class<? extends Provider>) Class.forName(JPA_CONNECTION_PROVIDER, true,
                    DynamicClientLimits.class.getClassLoader());
            Provider provider = session.getProvider(type);
            if (provider == null) {
                return null;
            }
            return (EntityManager) type.getMethod("getEntityManager").invoke(provider);
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            return null;
        }
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
