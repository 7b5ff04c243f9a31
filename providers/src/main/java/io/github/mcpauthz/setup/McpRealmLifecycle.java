package io.github.mcpauthz.setup;

import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.McpServerRegistry;
import org.jboss.logging.Logger;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * What happens to MCP realms as Keycloak creates and removes realms: a realm created with MCP enabled (a realm JSON
 * with the attribute {@code mcp.enabled=true}, an import) is set up right after its creating transaction commits, as
 * {@code mcp-authz/enable} would; a removed realm's cached server index is dropped on this node.
 */
final class McpRealmLifecycle {

    private static final Logger LOG = Logger.getLogger(McpRealmLifecycle.class);

    private McpRealmLifecycle() {
    }

    static void register(KeycloakSessionFactory factory) {
        factory.register(event -> {
            if (event instanceof RealmModel.RealmPostCreateEvent created) {
                RealmModel realm = created.getCreatedRealm();
                if (McpRealm.isEnabled(realm)) {
                    // After the creating transaction commits, in a fresh one: only then are Keycloak's default
                    // registration policies, added during the import, visible to the setup in every case.
                    String realmId = realm.getId();
                    created.getKeycloakSession().getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
                        @Override
                        protected void commitImpl() {
                            KeycloakModelUtils.runJobInTransaction(factory, session -> {
                                RealmModel committed = session.realms().getRealm(realmId);
                                if (committed != null && McpRealm.isEnabled(committed)) {
                                    session.getContext().setRealm(committed);
                                    McpRealmSetup.enable(session, committed);
                                    LOG.infof("MCP support set up for realm %s", committed.getName());
                                }
                            });
                        }

                        @Override
                        protected void rollbackImpl() {
                        }
                    });
                }
            } else if (event instanceof RealmModel.RealmRemovedEvent removed) {
                McpServerRegistry.forget(removed.getRealm().getId());
                McpEventsCondition.forget(removed.getRealm().getId());
            }
        });
    }
}
