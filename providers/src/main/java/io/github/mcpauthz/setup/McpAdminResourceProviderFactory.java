package io.github.mcpauthz.setup;

import java.util.List;

import io.github.mcpauthz.access.PassiveAccessRule;
import io.github.mcpauthz.access.ServerAccessTokenRule;
import io.github.mcpauthz.audience.ResourceAuthorizationRule;
import io.github.mcpauthz.consent.GrantScopeAuthorizationRule;
import io.github.mcpauthz.consent.PassiveConsentRule;
import io.github.mcpauthz.core.McpChecks;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.services.resources.admin.ext.AdminRealmResourceProvider;
import org.keycloak.services.resources.admin.ext.AdminRealmResourceProviderFactory;

/**
 * Serves {@link McpAdminResource} at {@code /admin/realms/{realm}/mcp-authz}; at start-up it registers the
 * {@link McpRealmLifecycle} listener.
 */
public class McpAdminResourceProviderFactory implements AdminRealmResourceProviderFactory {

    public static final String ID = "mcp-authz";


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
        // Keycloak's only start-up hook is a provider factory's postInit; the work is the realm lifecycle's.
        McpRealmLifecycle.register(factory);
        // The version-neutral MCP checks, in the order they run (see McpChecks): the 26.7 hooks run them one by one,
        // the fallbacks of older releases run these lists.
        McpChecks.register(
                List.of(ResourceAuthorizationRule::rule, GrantScopeAuthorizationRule::rule, PassiveConsentRule::rule,
                        PassiveAccessRule::rule),
                List.of(ServerAccessTokenRule::rule));
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
