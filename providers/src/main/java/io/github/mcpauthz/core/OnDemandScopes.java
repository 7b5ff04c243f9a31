package io.github.mcpauthz.core;

import java.util.function.Consumer;
import java.util.function.Supplier;

import org.jboss.logging.Logger;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Creates a client scope the extension needs the first time it is needed (a server's scope on a client's first
 * authorization for that server, a server's grant scope on the first consent for it), not when the realm is enabled or
 * the server registered: so enabling a realm or registering a server costs nothing per server.
 *
 * <p>The scope is created in a short transaction of its own, committed before the request goes on, so it never
 * depends on the fate of the request's transaction. Its id is deterministic ({@link ServerScopes#id},
 * {@link ServerGrantScopes#id}), so two requests or two cluster nodes creating the same scope at once collide on the
 * primary key (or on the realm's unique scope name): the loser's transaction is rolled back and it reads the winner's
 * scope, which is committed by then. A failure after which the scope still does not exist is passed on.
 */
public final class OnDemandScopes {

    private static final Logger LOG = Logger.getLogger(OnDemandScopes.class);

    private OnDemandScopes() {
    }

    /**
     * Creates the realm's client scope {@code id}/{@code name} in its own transaction, initialised by {@code init}
     * there, and returns it as the request's {@code session} sees it; the scope another creator made when that one won.
     *
     * @param find reads the scope in the request's session (null when it does not exist)
     */
    public static ClientScopeModel create(KeycloakSession session, RealmModel realm, String id, String name,
                                          Consumer<ClientScopeModel> init, Supplier<ClientScopeModel> find) {
        String realmId = realm.getId();
        return createOrRead(() -> KeycloakModelUtils.runJobInTransaction(session.getKeycloakSessionFactory(), own -> {
            RealmModel ownRealm = own.realms().getRealm(realmId);
            if (ownRealm == null) {
                throw new IllegalStateException("realm " + realmId + " no longer exists");
            }
            own.getContext().setRealm(ownRealm);
            ClientScopeModel scope = ownRealm.addClientScope(id, name);
            init.accept(scope);
        }), find, name);
    }

    /**
     * The rule, apart from Keycloak: runs {@code create} (which commits a new scope or fails); returns what
     * {@code find} reads afterwards. A failed {@code create} whose scope exists anyway lost a race to another creator,
     * whose scope is returned; a failed {@code create} whose scope does not exist is rethrown.
     */
    static <T> T createOrRead(Runnable create, Supplier<T> find, String what) {
        RuntimeException failure = null;
        try {
            create.run();
        } catch (RuntimeException e) {
            failure = e;
        }
        T scope = find.get();
        if (scope != null) {
            if (failure != null) {
                LOG.debugf("Client scope %s was created concurrently (%s); using the existing one", what, failure.toString());
            }
            return scope;
        }
        if (failure != null) {
            throw failure;
        }
        throw new IllegalStateException("client scope " + what + " was created but cannot be read");
    }
}
