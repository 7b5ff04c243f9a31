package io.github.mcpauthz.registry;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** Validation of OAuth scope names (RFC 6749 §3.3 scope-token) as an admin enters them. */
public final class ScopeNames {

    public static final int MAX_LENGTH = 128;

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

    /**
     * Splits admin input (list entries, each possibly holding several space or comma separated names)
     * into distinct scope names, sorted (the component store does not keep the order of list values).
     *
     * @throws IllegalArgumentException naming the first invalid scope
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
                    out.add(s);
                }
            }
        }
        List<String> sorted = new ArrayList<>(out);
        sorted.sort(null);
        return sorted;
    }
}
