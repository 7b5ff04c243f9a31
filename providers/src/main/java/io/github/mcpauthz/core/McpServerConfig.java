package io.github.mcpauthz.core;

import java.util.ArrayList;
import java.util.List;

import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.services.ui.extend.UiPageProvider;

/**
 * How an MCP server is stored: one realm component of type {@link UiPageProvider} with provider id
 * {@value #PROVIDER_ID} (the admin console's "MCP servers" page), and these configuration keys.
 */
public final class McpServerConfig {

    public static final String PROVIDER_ID = "mcp-servers";
    public static final String COMPONENT_TYPE = UiPageProvider.class.getName();

    public static final String RESOURCE = "resource";
    public static final String DISPLAY_NAME = "display-name";
    public static final String SCOPES = "scopes";
    public static final String DEFAULT = "default-resource";
    public static final String CLIENT_ID = "exchange-client-id";
    public static final String EXCHANGE_AUDIENCES = "exchange-audiences";
    public static final String MACHINE_CLIENTS = "machine-clients";
    /** Who may get tokens for the server (multi-valued: realm role, clientId/role, /group/path). */
    public static final String ACCESS_RULE = "access-rule";
    /** Which of the user's roles the server's tokens carry: none (default), server, realm. */
    public static final String TOKEN_ROLES = "token-roles";
    /** Client whose client roles are the server's roles; default: the token exchange client. */
    public static final String ROLES_CLIENT_ID = "roles-client-id";

    /** Longest client id or downstream audience accepted, and the most downstream audiences per server. */
    public static final int MAX_CLIENT_ID_LENGTH = 255;
    public static final int MAX_EXCHANGE_AUDIENCES = 50;
    /** The most machine clients (client credentials grant) per server. */
    public static final int MAX_MACHINE_CLIENTS = 100;

    private McpServerConfig() {
    }

    /** True for a component that stores an MCP server. */
    public static boolean isServer(ComponentModel model) {
        return PROVIDER_ID.equals(model.getProviderId()) && COMPONENT_TYPE.equals(model.getProviderType());
    }

    /** Reads a stored component; throws when its configuration is not a valid server. */
    public static McpServer toServer(ComponentModel model) throws InvalidResourceException {
        CanonicalResource resource = CanonicalResource.parse(model.get(RESOURCE));
        String name = model.get(DISPLAY_NAME);
        if (name == null || name.isBlank()) {
            name = resource.uri();
        }
        List<String> scopes = ScopeNames.normalise(model.getConfig().getList(SCOPES));
        // Lenient: an exchange setting that validation would refuse never takes the server itself out of the registry.
        String clientId = exchangeClientId(model);
        List<String> audiences = new ArrayList<>();
        for (String audience : exchangeAudiences(model)) {
            if (invalidIdentifier(audience, "token exchange audience") == null && audiences.size() < MAX_EXCHANGE_AUDIENCES) {
                audiences.add(audience);
            }
        }
        // Sorted: Keycloak does not keep the order of a multi-valued component setting.
        List<String> machineClients = new ArrayList<>();
        for (String machineClient : distinctValues(model, MACHINE_CLIENTS).stream().sorted().toList()) {
            if (invalidIdentifier(machineClient, "machine client ID") == null && machineClients.size() < MAX_MACHINE_CLIENTS) {
                machineClients.add(machineClient);
            }
        }
        clientId = clientId != null && invalidIdentifier(clientId, "client ID") == null ? clientId : null;
        return new McpServer(model.getId(), resource, name.strip(), scopes, Boolean.parseBoolean(model.get(DEFAULT)),
                clientId, audiences, machineClients, access(model));
    }

    /**
     * The access settings as read at token time. Not lenient where leniency would open the server: a rule that does
     * not parse lets nobody in (validation refuses such a rule, so only a hand-edited database gets here).
     */
    private static ServerAccess access(ComponentModel model) {
        List<ServerAccess.Entry> rule;
        List<String> configured = model.getConfig().getList(ACCESS_RULE);
        try {
            rule = ServerAccess.parseRule(configured);
        } catch (IllegalArgumentException e) {
            rule = List.of(new ServerAccess.Unreadable(e.getMessage()));
        }
        ServerAccess.TokenRoles roles;
        try {
            roles = ServerAccess.TokenRoles.parse(model.get(TOKEN_ROLES));
        } catch (IllegalArgumentException e) {
            roles = ServerAccess.TokenRoles.NONE;
        }
        String rolesClientId = rolesClientId(model);
        if (rolesClientId != null && invalidIdentifier(rolesClientId, "client ID") != null) {
            rolesClientId = null;
        }
        return new ServerAccess(rule, roles, rolesClientId);
    }

    private static String rolesClientId(ComponentModel model) {
        String clientId = model.get(ROLES_CLIENT_ID);
        return clientId == null || clientId.isBlank() ? null : clientId.strip();
    }

    /**
     * Refuses access settings that {@link #toServer} would not read as written: a malformed rule entry, more than
     * {@value ServerAccess#MAX_ENTRIES} entries, an unknown token-roles value, a bad roles client id, or
     * {@code server} roles without a client to take them from.
     */
    public static void validateAccessSettings(ComponentModel model) throws ComponentValidationException {
        try {
            ServerAccess.parseRule(model.getConfig().getList(ACCESS_RULE));
            ServerAccess.TokenRoles roles = ServerAccess.TokenRoles.parse(model.get(TOKEN_ROLES));
            String rolesClientId = rolesClientId(model);
            String problem = rolesClientId == null ? null : invalidIdentifier(rolesClientId, "Roles client ID");
            if (problem != null) {
                throw new ComponentValidationException(problem);
            }
            if (roles == ServerAccess.TokenRoles.SERVER && rolesClientId == null && exchangeClientId(model) == null) {
                throw new ComponentValidationException("Token roles 'server' need the server's Keycloak client: set "
                        + ROLES_CLIENT_ID + " (or " + CLIENT_ID + ")");
            }
        } catch (IllegalArgumentException e) {
            throw new ComponentValidationException("Invalid MCP server access settings: " + e.getMessage());
        }
    }


    private static String exchangeClientId(ComponentModel model) {
        String clientId = model.get(CLIENT_ID);
        return clientId == null || clientId.isBlank() ? null : clientId.strip();
    }

    /** The configured downstream audiences, stripped, without blanks and repetitions. */
    private static List<String> exchangeAudiences(ComponentModel model) {
        return distinctValues(model, EXCHANGE_AUDIENCES);
    }

    /** The values of a multi-valued key, stripped, without blanks and repetitions, in order. */
    private static List<String> distinctValues(ComponentModel model, String key) {
        List<String> out = new ArrayList<>();
        List<String> configured = model.getConfig().getList(key);
        for (String value : configured == null ? List.<String>of() : configured) {
            if (value != null && !value.isBlank() && !out.contains(value.strip())) {
                out.add(value.strip());
            }
        }
        return out;
    }

    /** Why a client id or audience is refused, or null: whitespace or control characters; a URI at most 2048 characters, else 255. */
    static String invalidIdentifier(String value, String what) {
        int max = value.contains("://") ? CanonicalResource.MAX_LENGTH : MAX_CLIENT_ID_LENGTH;
        if (value.length() > max) {
            return what + " is longer than " + max + " characters";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= 0x20 || c == 0x7f || Character.isWhitespace(c) || Character.isISOControl(c)
                    || Character.getType(c) == Character.FORMAT) {
                return what + " '" + value.replaceAll("\\p{C}|\\s", "?") + "' contains whitespace or control characters";
            }
        }
        return null;
    }

    /** Refuses exchange settings that {@link #toServer} would silently drop. */
    public static void validateExchangeSettings(ComponentModel model) throws ComponentValidationException {
        String clientId = exchangeClientId(model);
        String problem = clientId == null ? null : invalidIdentifier(clientId, "Token exchange client ID");
        List<String> audiences = exchangeAudiences(model);
        if (problem == null && audiences.size() > MAX_EXCHANGE_AUDIENCES) {
            problem = "At most " + MAX_EXCHANGE_AUDIENCES + " token exchange audiences per MCP server";
        }
        for (int i = 0; problem == null && i < audiences.size(); i++) {
            problem = invalidIdentifier(audiences.get(i), "Token exchange audience");
        }
        if (problem != null) {
            throw new ComponentValidationException(problem);
        }
    }

    /** Refuses machine-client settings that {@link #toServer} would silently drop. */
    public static void validateMachineClients(ComponentModel model) throws ComponentValidationException {
        List<String> clients = distinctValues(model, MACHINE_CLIENTS);
        String problem = clients.size() > MAX_MACHINE_CLIENTS
                ? "At most " + MAX_MACHINE_CLIENTS + " machine clients per MCP server" : null;
        for (int i = 0; problem == null && i < clients.size(); i++) {
            problem = invalidIdentifier(clients.get(i), "Machine client ID");
        }
        if (problem != null) {
            throw new ComponentValidationException(problem);
        }
    }
}
