package io.github.mcpauthz.core;

import jakarta.persistence.EntityManager;
import org.keycloak.models.KeycloakSession;
import org.keycloak.provider.Provider;

/**
 * The session's EntityManager of Keycloak's JPA store, for the few admin-path reads and row locks the model API cannot
 * do well (see its callers). Found by name, so that the jar needs no compile-time dependency on Keycloak's JPA module.
 */
public final class Database {

    static final String JPA_CONNECTION_PROVIDER = "org.keycloak.connections.jpa.JpaConnectionProvider";

    private Database() {
    }

    /** The session's EntityManager, or null when Keycloak runs without its JPA store. */
    @SuppressWarnings("unchecked")
    public static EntityManager entityManager(KeycloakSession session) {
        try {
            Class<? extends Provider> type = (Class<? extends Provider>) Class.forName(JPA_CONNECTION_PROVIDER, true,
                    Database.class.getClassLoader());
            Provider provider = session.getProvider(type);
            if (provider == null) {
                return null;
            }
            return (EntityManager) type.getMethod("getEntityManager").invoke(provider);
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            return null;
        }
    }
}
