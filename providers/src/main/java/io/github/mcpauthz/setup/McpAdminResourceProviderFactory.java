package io.github.mcpauthz.setup;

import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.McpServerRegistry;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.services.resources.admin.ext.AdminRealmResourceProvider;
import org.keycloak.services.resources.admin.ext.AdminRealmResourceProviderFactory;

/**
 * Serves {@link McpAdminResource} at {@code /admin/realms/{realm}/mcp-authz}, and finishes the MCP set-up of
 * realms created with MCP enabled (a realm JSON with the attribute {@code mcp.enabled=true}) right after import.
 */
public class McpAdminResourceProviderFactory implements AdminRealmResourceProviderFactory {

    public static final String ID = "mcp-authz";

    private static final Logger LOG = Logger.getLogger(McpAdminResourceProviderFactory.class);

    @Override
    public AdminRealmResourceProvider create(KeycloakSession session) {
        return new AdminRealmResourceProvider() {
            @Override
            public Object getResource(KeycloakSession s, RealmModel realm,
                                      org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator auth,
                                      org.keycloak.services.resources.admin.AdminEventBuilder adminEvent) {
                return new McpAdminResource(s, realm, auth, adminEvent);
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
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
            }
        });
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void close() {
    }
}
