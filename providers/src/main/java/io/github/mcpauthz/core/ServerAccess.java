package io.github.mcpauthz.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Who may get tokens for an MCP server, and which of the user's roles its tokens carry.
 *
 * @param rule          the users who may get tokens: any of these entries (empty: every user)
 * @param tokenRoles    which of the user's roles the server's access tokens carry in {@value #ROLES_CLAIM}
 * @param rolesClientId client id of the Keycloak client whose client roles are the server's roles (for
 *                      {@link TokenRoles#SERVER}), or null: the server's token exchange client
 *                      ({@link McpServer#rolesClientId()})
 */
public record ServerAccess(List<Entry> rule, TokenRoles tokenRoles, String rolesClientId) {

    /** Access-token claim with the roles the server sees: a JSON array of role names. */
    public static final String ROLES_CLAIM = "roles";

    /** The most entries an access rule may have, and the longest entry. */
    public static final int MAX_ENTRIES = 50;
    public static final int MAX_ENTRY_LENGTH = 2300;

    /** No rule, no roles: what a server without these settings gets. */
    public static final ServerAccess OPEN = new ServerAccess(List.of(), TokenRoles.NONE, null);

    public ServerAccess {
        rule = rule == null ? List.of() : List.copyOf(rule);
        tokenRoles = tokenRoles == null ? TokenRoles.NONE : tokenRoles;
    }

    /** True when only some users may get tokens for the server. */
    public boolean restricted() {
        return !rule.isEmpty();
    }

    /** True when the server needs anything at token time: an access rule or roles in its tokens. */
    public boolean governsTokens() {
        return restricted() || tokenRoles != TokenRoles.NONE;
    }

    /** Which of the user's roles a server's tokens carry. */
    public enum TokenRoles {
        /** No roles (the default). */
        NONE,
        /** The user's client roles (effective: composites and groups) of the server's Keycloak client. */
        SERVER,
        /** The user's realm roles (effective: composites and groups). */
        REALM;

        /** The config value: {@code none}, {@code server}, {@code realm}. */
        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @throws IllegalArgumentException for anything but the three config values (case-insensitive, blank = none) */
        public static TokenRoles parse(String value) {
            if (value == null || value.isBlank()) {
                return NONE;
            }
            for (TokenRoles roles : values()) {
                if (roles.value().equalsIgnoreCase(value.strip())) {
                    return roles;
                }
            }
            throw new IllegalArgumentException("token roles must be none, server or realm, not '" + printable(value) + "'");
        }
    }

    /** One entry of an access rule. */
    public sealed interface Entry permits RealmRole, ClientRole, Group, Unreadable {
        /** The entry as configured. */
        String text();
    }

    /** A realm role: {@code role}. */
    public record RealmRole(String role) implements Entry {
        public String text() {
            return role;
        }
    }

    /** A client role: {@code clientId/role} (split at the last {@code /}, as client ids may be URLs). */
    public record ClientRole(String clientId, String role) implements Entry {
        public String text() {
            return clientId + "/" + role;
        }
    }

    /** A group and its subgroups: {@code /group/subgroup}. */
    public record Group(String path) implements Entry {
        public String text() {
            return path;
        }
    }

    /** A stored rule that does not parse (only a hand-edited database has one): it lets nobody in. */
    public record Unreadable(String text) implements Entry {
    }

    /**
     * Parses one access-rule entry: {@code /path} is a group, {@code clientId/role} a client role, anything else a
     * realm role.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static Entry parseEntry(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("an access rule entry is empty");
        }
        String entry = value.strip();
        if (entry.length() > MAX_ENTRY_LENGTH) {
            throw new IllegalArgumentException("access rule entry is longer than " + MAX_ENTRY_LENGTH + " characters");
        }
        for (int i = 0; i < entry.length(); i++) {
            char c = entry.charAt(i);
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                throw new IllegalArgumentException("access rule entry '" + printable(entry)
                        + "' contains control characters");
            }
        }
        if (entry.startsWith("/")) {
            String path = entry.length() > 1 && entry.endsWith("/") ? entry.substring(0, entry.length() - 1) : entry;
            if (path.length() < 2 || path.contains("//")) {
                throw new IllegalArgumentException("group '" + printable(entry) + "' must be a path like /group/subgroup");
            }
            return new Group(path);
        }
        int slash = entry.lastIndexOf('/');
        if (slash < 0) {
            return new RealmRole(entry);
        }
        String clientId = entry.substring(0, slash).strip();
        String role = entry.substring(slash + 1).strip();
        if (clientId.isEmpty() || role.isEmpty()) {
            throw new IllegalArgumentException("client role '" + printable(entry) + "' must be clientId/role");
        }
        return new ClientRole(clientId, role);
    }

    /**
     * The entries of a configured rule, without blanks and repetitions.
     *
     * @throws IllegalArgumentException for a bad entry or too many
     */
    public static List<Entry> parseRule(List<String> values) {
        List<Entry> out = new ArrayList<>();
        for (String value : values == null ? List.<String>of() : values) {
            if (value == null || value.isBlank()) {
                continue;
            }
            Entry entry = parseEntry(value);
            if (!out.contains(entry)) {
                out.add(entry);
            }
        }
        if (out.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("at most " + MAX_ENTRIES + " access rule entries per MCP server");
        }
        return out;
    }

    static String printable(String value) {
        String cut = value.length() > 100 ? value.substring(0, 100) + "..." : value;
        return cut.replaceAll("\\p{C}", "?");
    }
}
