package io.github.mcpauthz.demo;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The scopes of the demo server, as registered for it in the sample realm. */
public final class Scopes {

    /** Read tools ({@code whoami}, {@code read_notes}); the scope a client asks for first. */
    public static final String TOOLS = "mcp:tools";
    /** Write tools ({@code add_note}); asked for by step-up. */
    public static final String WRITE = "mcp:write";

    /** What the protected resource metadata lists in {@code scopes_supported}, in this order. */
    public static final List<String> SUPPORTED = List.of(TOOLS, WRITE);

    private Scopes() {
    }

    /**
     * The {@code scope} of an {@code insufficient_scope} challenge: the scopes of this server the token already has,
     * then {@code needed} (MCP 2025-11-25 step-up: the client asks again for all of them).
     */
    public static String union(Set<String> held, String needed) {
        Set<String> union = new LinkedHashSet<>();
        for (String scope : SUPPORTED) {
            if (held.contains(scope)) {
                union.add(scope);
            }
        }
        union.add(needed);
        return String.join(" ", union);
    }
}
