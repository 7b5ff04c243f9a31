package io.github.mcpauthz.cimd;

import java.util.List;
import java.util.Locale;

/**
 * Domain lists of the CIMD trust policy: {@code example.com} matches that host only, {@code *.example.com} its
 * subdomains. Case and a trailing dot (the absolute form {@code example.com.}) are ignored on both sides.
 */
public final class DomainPatterns {

    private DomainPatterns() {
    }

    public static boolean matches(String host, List<String> patterns) {
        if (patterns == null || host == null) {
            return false;
        }
        String h = withoutTrailingDots(host.toLowerCase(Locale.ROOT));
        if (h.isEmpty()) {
            return false;
        }
        for (String raw : patterns) {
            if (raw == null || raw.isBlank()) {
                continue;
            }
            for (String p : raw.split("##|,")) {
                String pattern = withoutTrailingDots(p.strip().toLowerCase(Locale.ROOT));
                if (pattern.isEmpty()) {
                    continue;
                }
                if (pattern.startsWith("*.")) {
                    if (h.endsWith(pattern.substring(1)) && h.length() > pattern.length() - 1) {
                        return true;
                    }
                } else if (h.equals(pattern)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String withoutTrailingDots(String name) {
        int end = name.length();
        while (end > 0 && name.charAt(end - 1) == '.') {
            end--;
        }
        return name.substring(0, end);
    }
}
