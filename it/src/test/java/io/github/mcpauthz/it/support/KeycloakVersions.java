package io.github.mcpauthz.it.support;

/**
 * What the tests expect of a Keycloak version. Written down here independently of the extension's own check
 * ({@code io.github.mcpauthz.core.KeycloakCompat}), so that {@code KeycloakVersionIT} can compare the two.
 */
public final class KeycloakVersions {

    /** The extension acts on 26.4.0 to every 26.7 release, nowhere else (CI proves 26.4.7, 26.5.6, 26.7.0, 26.7.3). */
    public static final String SUPPORTED_MIN = "26.4.0";
    /** The release with every hook the extension prefers; older ones use its fallbacks (see KeycloakCompat). */
    public static final String ALL_CAPABILITIES_SINCE = "26.7.0";
    public static final String SUPPORTED_MAX_MINOR = "26.7";
    /** The experimental features resource-indicators and cimd first exist in this release. */
    public static final String EXPERIMENTAL_MCP_FEATURES_SINCE = "26.6.0";

    private KeycloakVersions() {
    }

    /** Whether the extension should be active on {@code version}. */
    public static boolean supported(String version) {
        return atLeast(version, SUPPORTED_MIN) && compare(version, SUPPORTED_MAX_MINOR + ".999999") <= 0;
    }

    public static boolean atLeast(String version, String other) {
        return compare(version, other) >= 0;
    }

    /** Compares the numeric major.minor.micro of two versions ({@code 26.4.7}, {@code 26.7.3.redhat-00001}). */
    public static int compare(String a, String b) {
        int[] x = numbers(a);
        int[] y = numbers(b);
        for (int i = 0; i < 3; i++) {
            if (x[i] != y[i]) {
                return Integer.compare(x[i], y[i]);
            }
        }
        return 0;
    }

    private static int[] numbers(String version) {
        String[] parts = version.split("[.-]");
        int[] out = new int[3];
        for (int i = 0; i < 3 && i < parts.length; i++) {
            out[i] = Integer.parseInt(parts[i]);
        }
        return out;
    }
}
