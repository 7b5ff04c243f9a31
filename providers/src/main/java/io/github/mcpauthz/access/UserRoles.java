package io.github.mcpauthz.access;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.ServerAccess;
import org.keycloak.models.ClientModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.models.utils.RoleUtils;

/**
 * A user's effective roles and groups, read once, as an MCP server's access rule and roles claim see them: role
 * mappings with composites expanded and the roles of the user's groups and their parents (what Keycloak's
 * {@code UserModel.hasRole} counts), and group membership where a member of a subgroup is a member of the group.
 * Reads the user's cached mappings and the realm's cached roles and clients: no scan of the realm's clients.
 */
final class UserRoles {

    private final RealmModel realm;
    private final UserModel user;
    private Set<RoleModel> roles;
    private List<String> groupPaths;

    UserRoles(RealmModel realm, UserModel user) {
        this.realm = realm;
        this.user = user;
    }

    private Set<RoleModel> roles() {
        if (roles == null) {
            roles = RoleUtils.getDeepUserRoleMappings(user);
        }
        return roles;
    }

    /** True when the rule is empty or the user matches one of its entries. */
    boolean admitted(ServerAccess access) {
        if (!access.restricted()) {
            return true;
        }
        for (ServerAccess.Entry entry : access.rule()) {
            if (matches(entry)) {
                return true;
            }
        }
        return false;
    }

    private boolean matches(ServerAccess.Entry entry) {
        if (entry instanceof ServerAccess.RealmRole realmRole) {
            RoleModel role = realm.getRole(realmRole.role());
            return role != null && roles().contains(role);
        }
        if (entry instanceof ServerAccess.ClientRole clientRole) {
            ClientModel client = realm.getClientByClientId(clientRole.clientId());
            RoleModel role = client == null ? null : client.getRole(clientRole.role());
            return role != null && roles().contains(role);
        }
        if (entry instanceof ServerAccess.Group group) {
            for (String path : groupPaths()) {
                if (path.equals(group.path()) || path.startsWith(group.path() + "/")) {
                    return true;
                }
            }
        }
        return false; // Unreadable: nobody
    }

    private List<String> groupPaths() {
        if (groupPaths == null) {
            groupPaths = user.getGroupsStream().map(KeycloakModelUtils::buildGroupPath).toList();
        }
        return groupPaths;
    }

    /** The names of the user's roles {@code server}'s tokens carry, sorted; null for {@code none}. */
    List<String> tokenRoles(McpServer server) {
        // Comparisons, not a switch: a switch over another class's enum costs a synthetic class in the jar.
        ServerAccess.TokenRoles tokenRoles = server.access().tokenRoles();
        if (tokenRoles == ServerAccess.TokenRoles.NONE) {
            return null;
        }
        if (tokenRoles == ServerAccess.TokenRoles.REALM) {
            return names(null);
        }
        ClientModel client = server.rolesClientId() == null ? null : realm.getClientByClientId(server.rolesClientId());
        return client == null ? List.of() : names(client);
    }

    /** Realm roles ({@code client} null) or the roles of {@code client}. */
    private List<String> names(ClientModel client) {
        Set<String> out = new TreeSet<>();
        for (RoleModel role : roles()) {
            boolean wanted = client == null ? !role.isClientRole()
                    : role.isClientRole() && client.getId().equals(role.getContainerId());
            if (wanted) {
                out.add(role.getName());
            }
        }
        return List.copyOf(out);
    }

}
