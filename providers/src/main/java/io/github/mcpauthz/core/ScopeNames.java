package io.github.mcpauthz.core;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** Validation of OAuth scope names (RFC 6749 §3.3 scope-token) as an admin enters them. */
public final class ScopeNames {

    public static final int MAX_LENGTH = 128;

    /**
     * Prefix of the hidden per-server grant scopes ({@code mcp-server:<server id>}) the extension manages for consent.
     * Reserved: no MCP server scope, and no scope a client registers or asks for, may start with it (in any case).
     */
    public static final String RESERVED_PREFIX = "mcp-server:";

    /** Description of the {@code invalid_client_metadata} answer to client metadata whose scope is reserved. */
    public static final String RESERVED_IN_CLIENT_METADATA = "scope must not name an MCP server grant scope ("
            + RESERVED_PREFIX + "...): consent to a server is asked for per authorization";

    private ScopeNames() {
    }

    /** True for a scope-token: 1*( %x21 / %x23-5B / %x5D-7E ). */
    public static boolean isValid(String scope) {
        if (scope == null || scope.isEmpty() || scope.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < scope.length(); i++) {
            char c = scope.charAt(i);
            if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** True when {@code scope} starts with {@link #RESERVED_PREFIX}, compared case-insensitively. */
    public static boolean isReserved(String scope) {
        return scope != null && scope.length() >= RESERVED_PREFIX.length()
                && scope.regionMatches(true, 0, RESERVED_PREFIX, 0, RESERVED_PREFIX.length());
    }

    /** The first name in a space-separated {@code scope} value that {@link #isReserved is reserved}, or null. */
    public static String firstReserved(String scopeParameter) {
        if (scopeParameter == null) {
            return null;
        }
        for (String s : scopeParameter.split(" ")) {
            if (isReserved(s)) {
                return s;
            }
        }
        return null;
    }

    /**
     * Splits admin input (list entries, each possibly holding several space or comma separated names)
     * into distinct scope names, sorted (the component store does not keep the order of list values).
     *
     * @throws IllegalArgumentException naming the first invalid or {@link #isReserved reserved} scope
     */
    public static List<String> normalise(List<String> entries) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        if (entries != null) {
            for (String entry : entries) {
                if (entry == null) {
                    continue;
                }
                for (String s : entry.split("[\\s,]+")) {
                    if (s.isEmpty()) {
                        continue;
                    }
                    if (!isValid(s)) {
                        throw new IllegalArgumentException("invalid scope name '" + s + "'");
                    }
                    if (isReserved(s)) {
                        throw new IllegalArgumentException("scope '" + s + "' starts with '" + RESERVED_PREFIX
                                + "', which is reserved for the per-server consent grants of keycloak-mcp-authz");
                    }
                    out.add(s);
                }
            }
        }
        List<String> sorted = new ArrayList<>(out);
        sorted.sort(null);
        return sorted;
    }
}
