package io.github.mcpauthz.setup;

import static io.github.mcpauthz.core.McpServerConfig.*;

import io.github.mcpauthz.core.McpServerConfig;
import io.github.mcpauthz.core.ServerAccess;
import io.github.mcpauthz.core.ServerScopes;

import io.github.mcpauthz.core.CanonicalResource;
import io.github.mcpauthz.core.InvalidResourceException;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.McpServerIndex;
import io.github.mcpauthz.core.McpServerRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.github.mcpauthz.core.ServerGrantScopes;
import org.keycloak.Config;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.ui.extend.UiPageProvider;
import org.keycloak.services.ui.extend.UiPageProviderFactory;

/**
 * "MCP servers" page of the admin console: one realm component per MCP server.
 *
 * <p>The same components are created by the extension's admin REST API and can be written in a realm JSON
 * under {@code components["org.keycloak.services.ui.extend.UiPageProvider"]}. Validation here canonicalises
 * the resource URI and enforces one server per resource and at most one default server per realm.
 */
public class McpServerComponentFactory implements UiPageProviderFactory<ComponentModel>, UiPageProvider {

    public static final String ID = McpServerConfig.PROVIDER_ID;

    private static final List<ProviderConfigProperty> CONFIG = ProviderConfigurationBuilder.create()
            .property().name(RESOURCE).label("Resource URI").type(ProviderConfigProperty.STRING_TYPE).required(true)
            .helpText("Canonical URI of the MCP server: exactly the 'resource' value its RFC 9728 protected resource "
                    + "metadata publishes, e.g. https://mcp.example.com/mcp. Clients send it as the RFC 8707 'resource' "
                    + "parameter and access tokens carry it as their only audience. Scheme and host case, a default "
                    + "port and one trailing slash are normalised; queries, fragments and user info are rejected.")
            .add()
            .property().name(DISPLAY_NAME).label("Display name").type(ProviderConfigProperty.STRING_TYPE)
            .helpText("Human name of the MCP server, shown to users on the consent screen. Defaults to the resource URI.")
            .add()
            .property().name(SCOPES).label("Scopes").type(ProviderConfigProperty.MULTIVALUED_STRING_TYPE)
            .helpText("OAuth scopes this MCP server accepts (what it lists as scopes_supported). A missing one is "
                    + "created as a client scope of the realm, shown on the consent screen, when the first client gets "
                    + "it. They are not realm default scopes: a client gets them, as optional scopes, on its first "
                    + "authorization request for this server. Create a scope yourself first to give it mappers; it is "
                    + "then used as it is.")
            .add()
            .property().name(DEFAULT).label("Default for requests without resource").type(ProviderConfigProperty.BOOLEAN_TYPE)
            .defaultValue("false")
            .helpText("When on, a token requested without a 'resource' parameter is issued for this MCP server. When "
                    + "off for every server (the default), such tokens carry no MCP server audience and no MCP server "
                    + "accepts them. At most one server per realm can be the default.")
            .add()
            .property().name(CLIENT_ID).label("Token exchange client").type(ProviderConfigProperty.STRING_TYPE)
            .helpText("Client ID of the confidential Keycloak client this MCP server authenticates as when it calls "
                    + "the token endpoint. Only this client may exchange (RFC 8693) a token issued for this server, "
                    + "and only for the downstream audiences below. Empty (the default): tokens for this server "
                    + "cannot be exchanged.")
            .add()
            .property().name(EXCHANGE_AUDIENCES).label("Token exchange audiences").type(ProviderConfigProperty.MULTIVALUED_STRING_TYPE)
            .helpText("Downstream audiences this MCP server may exchange a user's token for: the resource URI of "
                    + "another registered MCP server, or the client ID of a Keycloak client (an internal API). The "
                    + "exchanged token names exactly one of them in 'aud', keeps the user and at most the scopes "
                    + "the user granted, and records this server in 'act'. Empty (the default): none.")
            .add()
            .property().name(MACHINE_CLIENTS).label("Machine clients").type(ProviderConfigProperty.MULTIVALUED_STRING_TYPE)
            .helpText("Client IDs of the confidential Keycloak clients (service accounts on, client_secret_basic or "
                    + "private_key_jwt) that may get tokens for this MCP server without a user, through the "
                    + "client_credentials grant with resource=<this server's resource URI>. The token's audience is "
                    + "exactly this server and its scope at most this server's scopes the client has and asks for. "
                    + "Any other client, including dynamically registered ones, gets invalid_target. At most "
                    + MAX_MACHINE_CLIENTS + ". Empty (the default): none.")
            .add()
            .property().name(ACCESS_RULE).label("Who may use this server").type(ProviderConfigProperty.MULTIVALUED_STRING_TYPE)
            .helpText("Only users with any of these get tokens for this MCP server: a realm role ('mcp-user'), a "
                    + "client role ('clientId/role', split at the last '/'), or a group and its subgroups "
                    + "('/group/subgroup'). Composite roles and roles from groups count. Others are sent back to "
                    + "the client with access_denied after login, and their refresh tokens for this server stop "
                    + "working (invalid_grant). Empty (the default): every user of the realm.")
            .add()
            .property().name(TOKEN_ROLES).label("Roles in tokens").type(ProviderConfigProperty.LIST_TYPE)
            .options(ServerAccess.TokenRoles.NONE.value(), ServerAccess.TokenRoles.SERVER.value(),
                    ServerAccess.TokenRoles.REALM.value())
            .defaultValue(ServerAccess.TokenRoles.NONE.value())
            .helpText("Which of the user's roles this server's access tokens carry, as a JSON array of role names in "
                    + "the claim 'roles', computed at every issuance and refresh: 'none' (the default, no claim), "
                    + "'server' (the user's client roles of the server's Keycloak client, below), 'realm' (the user's "
                    + "realm roles). Composite roles and roles from groups count. Only tokens for this server get it.")
            .add()
            .property().name(ROLES_CLIENT_ID).label("Roles client").type(ProviderConfigProperty.STRING_TYPE)
            .helpText("Client ID of the Keycloak client whose client roles are this server's roles (for 'Roles in "
                    + "tokens' = server). Empty (the default): the token exchange client above.")
            .add()
            .build();

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getHelpText() {
        return "MCP servers (OAuth resource servers) this realm issues audience-restricted tokens for. A client "
                + "asking for a 'resource' that is not listed here gets invalid_target.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return CONFIG;
    }

    @Override
    public void validateConfiguration(KeycloakSession session, RealmModel realm, ComponentModel model)
            throws ComponentValidationException {
        McpServer server;
        try {
            server = McpServerConfig.toServer(model);
        } catch (InvalidResourceException e) {
            throw new ComponentValidationException("Invalid MCP server resource URI: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ComponentValidationException("Invalid MCP server scopes: " + e.getMessage());
        }
        McpServerConfig.validateExchangeSettings(model);
        McpServerConfig.validateMachineClients(model);
        McpServerConfig.validateAccessSettings(model);
        if (server.name().length() > 200) {
            throw new ComponentValidationException("MCP server display name is longer than 200 characters");
        }
        // Checked against the cached index (one rebuild per change), not by reading every component each time,
        // so registering or importing many servers stays linear.
        McpServerIndex index = McpServerRegistry.index(session, realm);
        index.find(server.resource())
                .filter(other -> !Objects.equals(other.id(), model.getId()))
                .ifPresent(other -> {
                    throw new ComponentValidationException("An MCP server with resource " + other.resource().uri()
                            + " is already registered (" + other.name() + ")");
                });
        if (server.defaultForRealm()) {
            index.defaultServer()
                    .filter(other -> !Objects.equals(other.id(), model.getId()))
                    .ifPresent(other -> {
                        throw new ComponentValidationException("MCP server " + other.name()
                                + " is already the default for requests without resource; turn that off first");
                    });
        }
        // Store the normalised form, which is what tokens carry.
        model.put(RESOURCE, server.resource().uri());
        model.put(DISPLAY_NAME, server.name());
        model.getConfig().put(SCOPES, server.scopes());
        model.put(DEFAULT, Boolean.toString(server.defaultForRealm()));
        if (server.clientId() == null) {
            model.getConfig().remove(CLIENT_ID);
        } else {
            model.put(CLIENT_ID, server.clientId());
        }
        if (server.exchangeAudiences().isEmpty()) {
            model.getConfig().remove(EXCHANGE_AUDIENCES);
        } else {
            model.getConfig().put(EXCHANGE_AUDIENCES, new ArrayList<>(server.exchangeAudiences()));
        }
        if (server.machineClients().isEmpty()) {
            model.getConfig().remove(MACHINE_CLIENTS);
        } else {
            model.getConfig().put(MACHINE_CLIENTS, new ArrayList<>(server.machineClients()));
        }
        storeAccessSettings(model, server.access());
        if (model.getName() == null || model.getName().isBlank()) {
            model.setName(server.name());
        }
    }

    /** Stores the access settings as read (entries stripped, without repetitions); unset ones are left out. */
    private static void storeAccessSettings(ComponentModel model, ServerAccess access) {
        if (access.rule().isEmpty()) {
            model.getConfig().remove(ACCESS_RULE);
        } else {
            model.getConfig().put(ACCESS_RULE, new ArrayList<>(access.rule().stream().map(ServerAccess.Entry::text).toList()));
        }
        if (access.tokenRoles() == ServerAccess.TokenRoles.NONE) {
            model.getConfig().remove(TOKEN_ROLES);
        } else {
            model.put(TOKEN_ROLES, access.tokenRoles().value());
        }
        String rolesClientId = model.get(ROLES_CLIENT_ID);
        if (rolesClientId == null || rolesClientId.isBlank()) {
            model.getConfig().remove(ROLES_CLIENT_ID);
        } else {
            model.put(ROLES_CLIENT_ID, rolesClientId.strip());
        }
    }

    /**
     * The hooks of {@link #onCreate} for servers created together (a batch): one index change, and the scopes of the
     * servers that list machine clients (see {@link #scopesForMachineClients}); nothing else per server.
     */
    static void afterCreate(KeycloakSession session, RealmModel realm, List<McpServer> servers) {
        servers.forEach(server -> scopesForMachineClients(session, realm, server));
        McpServerRegistry.markChanged(session, realm);
    }

    /**
     * Nothing is created for a new server: its scopes and grant scope are made on first use (see ServerScopes), except
     * the scopes of a server that lists machine clients.
     */
    @Override
    public void onCreate(KeycloakSession session, RealmModel realm, ComponentModel model) {
        scopesForMachineClients(session, realm, model);
        McpServerRegistry.markChanged(session, realm);
    }

    @Override
    public void onUpdate(KeycloakSession session, RealmModel realm, ComponentModel oldModel, ComponentModel newModel) {
        retireGrantOnResourceChange(realm, oldModel, newModel);
        updateGrantTexts(realm, newModel);
        scopesForMachineClients(session, realm, newModel);
        McpServerRegistry.markChanged(session, realm);
    }

    private static void scopesForMachineClients(KeycloakSession session, RealmModel realm, ComponentModel model) {
        try {
            scopesForMachineClients(session, realm, McpServerConfig.toServer(model));
        } catch (InvalidResourceException | IllegalArgumentException e) {
            // Validation refused it already.
        }
    }

    /**
     * A machine client never makes the authorization request that makes a server's scopes on first use, and an admin
     * can only give a client scopes that exist: so a server that lists machine clients gets its scopes now.
     */
    private static void scopesForMachineClients(KeycloakSession session, RealmModel realm, McpServer server) {
        if (!server.machineClients().isEmpty()) {
            ServerScopes.createMissing(session, realm, server);
        }
    }

    @Override
    public void preRemove(KeycloakSession session, RealmModel realm, ComponentModel model) {
        // The server's scopes stay: other servers or clients may use them. Its grant scope goes, with the consents.
        try {
            ServerGrantScopes.remove(realm, model.getId(), McpServerConfig.toServer(model).resource());
        } catch (InvalidResourceException | IllegalArgumentException e) {
            // Never a valid server: no grant scope was made for it.
        }
        McpServerRegistry.markChanged(session, realm);
    }

    /**
     * Consent is given for a server at a resource URI. When the URI changes, the grant scope for the old one goes
     * (Keycloak removes it from every stored consent) and a new one is made, so users are asked again.
     */
    private static void retireGrantOnResourceChange(RealmModel realm, ComponentModel oldModel, ComponentModel newModel) {
        CanonicalResource before;
        try {
            before = McpServerConfig.toServer(oldModel).resource();
        } catch (InvalidResourceException | IllegalArgumentException e) {
            return;
        }
        CanonicalResource after = null;
        try {
            after = McpServerConfig.toServer(newModel).resource();
        } catch (InvalidResourceException | IllegalArgumentException e) {
            // validateConfiguration has rejected such a model already.
        }
        if (!before.equals(after)) {
            ServerGrantScopes.remove(realm, oldModel.getId(), before);
        }
    }

    /** A renamed server's existing grant scope gets the new consent text; nothing is created. */
    private static void updateGrantTexts(RealmModel realm, ComponentModel model) {
        try {
            ServerGrantScopes.update(realm, McpServerConfig.toServer(model));
        } catch (InvalidResourceException | IllegalArgumentException e) {
            // validateConfiguration has rejected such a model already.
        }
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }
}
