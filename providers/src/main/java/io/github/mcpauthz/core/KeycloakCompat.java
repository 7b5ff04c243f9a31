package io.github.mcpauthz.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;
import org.keycloak.common.Version;

/**
 * Which Keycloak this jar runs in, and whether the extension may act there.
 *
 * <p>The jar is built once, against Keycloak {@value #BUILT_AGAINST}. It acts only on a Keycloak whose version is in
 * {@value #MIN_VERSION} up to the last release of {@code 26.7} <em>and</em> that has every Keycloak API it calls
 * ({@link #REQUIRED_APIS}, checked once by reflection). Anywhere else it stays inert: {@link #supported()} is false,
 * so the MCP realm check answers false and the providers that replace one of Keycloak's (login forms, grant types,
 * registration endpoints, discovery documents) hand out Keycloak's own, and one WARN at start-up says why
 * ({@link #logOnce()}). A request never reaches a missing method, so there is no HTTP 500 from a version mismatch.
 *
 * <p>Why not 26.4-26.6: the two hooks that bind {@code resource} to {@code aud} do not exist there
 * ({@code AuthorizationEndpointCheckProvider} is new in 26.7.0, {@code TokenPostProcessor} and the code's
 * {@code resource} in 26.6.0), see {@code docs/operations.md}.
 */
public final class KeycloakCompat {

    /** The Keycloak version of the pom ({@code keycloak.version}). */
    public static final String BUILT_AGAINST = "26.7.3";
    /** Lowest supported version: the first release with every API of {@link #REQUIRED_APIS}. */
    public static final String MIN_VERSION = "26.7.0";
    /** Highest supported major.minor: every patch release of it is supported. */
    public static final String MAX_MINOR = "26.7";
    /** What the WARN and the docs call the supported range. */
    public static final String RANGE = MIN_VERSION + " to " + MAX_MINOR + ".x";

    /**
     * The Keycloak APIs the extension calls that older releases lack: a class name, or {@code Class#method(Param,...)}
     * with fully qualified parameter types. Each with the release that introduced it, for the WARN.
     */
    static final List<Api> REQUIRED_APIS = List.of(
            new Api("org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointCheckProvider", "26.7.0"),
            new Api("org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker#getAuthorizationEndpointRequest()", "26.7.0"),
            new Api("org.keycloak.protocol.oidc.token.TokenPostProcessor", "26.6.0"),
            new Api("org.keycloak.protocol.oidc.utils.OAuth2Code#getResource()", "26.6.0"),
            new Api("org.keycloak.rar.AuthorizationDetails#getParameterizedScopeParam()", "26.6.0"),
            new Api("org.keycloak.models.UserConsentModel#isClientScopeGranted(org.keycloak.models.ClientScopeModel,java.lang.String)", "26.6.0"),
            new Api("org.keycloak.services.clientregistration.oidc.OIDCClientRegistrationProvider#preflight()", "26.5.0"));

    private static final Logger LOG = Logger.getLogger(KeycloakCompat.class);
    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?(.*)$");
    private static final AtomicBoolean LOGGED = new AtomicBoolean();

    /** A Keycloak API: a class, or a public method of it. */
    record Api(String name, String since) {
    }

    /** The verdict for the running Keycloak: computed once, when first asked. */
    private static final class Running {
        static final String VERSION_STRING = Version.VERSION;
        static final List<Api> MISSING = missing(REQUIRED_APIS, KeycloakCompat.class.getClassLoader());
        static final String REASON = unsupportedReason(VERSION_STRING, MISSING);
    }

    private KeycloakCompat() {
    }

    /** Whether the extension acts in this Keycloak. A constant after the first call (hot-path safe). */
    public static boolean supported() {
        return Running.REASON == null;
    }

    /** The running Keycloak's version, as it reports it ({@code org.keycloak.common.Version.VERSION}). */
    public static String keycloakVersion() {
        return Running.VERSION_STRING;
    }

    /** Why the extension is inert here, or null when {@link #supported()}. */
    public static String unsupportedReason() {
        return Running.REASON;
    }

    /** Logs the verdict once per JVM: WARN when inert (with the reason), INFO otherwise. Call from a factory's postInit. */
    public static void logOnce() {
        if (!LOGGED.compareAndSet(false, true)) {
            return;
        }
        if (supported()) {
            LOG.infof("keycloak-mcp-authz: Keycloak %s is in the supported range %s; MCP support is active",
                    keycloakVersion(), RANGE);
        } else {
            LOG.warn(unsupportedReason());
        }
    }

    /** Null when {@code version} is in range and nothing is missing, else the sentence the WARN logs. */
    static String unsupportedReason(String version, List<Api> missing) {
        boolean inRange = inRange(version);
        if (inRange && missing.isEmpty()) {
            return null;
        }
        StringBuilder out = new StringBuilder("keycloak-mcp-authz is INACTIVE: Keycloak ").append(version)
                .append(inRange ? " is in" : " is outside").append(" the supported range ").append(RANGE)
                .append(" (built against ").append(BUILT_AGAINST).append(")");
        if (!missing.isEmpty()) {
            out.append(" and lacks ");
            for (int i = 0; i < missing.size(); i++) {
                out.append(i == 0 ? "" : ", ").append(missing.get(i).name())
                        .append(" (Keycloak ").append(missing.get(i).since()).append(")");
            }
        }
        return out.append(". MCP realms behave as plain Keycloak realms (no resource binding, no MCP consent page,"
                + " no MCP registration rules); run a Keycloak version in the supported range.").toString();
    }

    /** Whether {@code version} (e.g. {@code 26.7.3}, {@code 26.7.3.redhat-00001}) is in the supported range. */
    static boolean inRange(String version) {
        int[] v = parse(version);
        int[] min = parse(MIN_VERSION);
        int[] max = parse(MAX_MINOR);
        if (v == null) {
            return false;
        }
        // A snapshot or other pre-release of the lowest version is not that release.
        boolean preRelease = v[3] == 1;
        int compareMin = compare(v, min);
        boolean atLeastMin = compareMin > 0 || (compareMin == 0 && !preRelease);
        boolean atMostMaxMinor = v[0] < max[0] || (v[0] == max[0] && v[1] <= max[1]);
        return atLeastMin && atMostMaxMinor;
    }

    /** major, minor, micro, pre-release flag (1 for {@code -SNAPSHOT}, {@code -rc1}, ...); null when unreadable. */
    static int[] parse(String version) {
        if (version == null) {
            return null;
        }
        Matcher m = VERSION.matcher(version.trim());
        if (!m.matches()) {
            return null;
        }
        String rest = m.group(4);
        // "26.7.3.redhat-00001" and "26.7.3.Final" are releases; "26.7.0-SNAPSHOT", "26.7.0-rc1" are not.
        int preRelease = rest.startsWith("-") ? 1 : 0;
        try {
            return new int[] {
                    Integer.parseInt(m.group(1)),
                    Integer.parseInt(m.group(2)),
                    m.group(3) == null ? 0 : Integer.parseInt(m.group(3)),
                    preRelease};
        } catch (NumberFormatException tooLong) {
            return null;
        }
    }

    private static Class<?> type(String name, ClassLoader loader) throws ClassNotFoundException {
        return switch (name) {
            case "boolean" -> boolean.class;
            case "int" -> int.class;
            case "long" -> long.class;
            default -> Class.forName(name, false, loader);
        };
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }

    /** The APIs of {@code apis} that {@code loader} does not have. */
    static List<Api> missing(List<Api> apis, ClassLoader loader) {
        List<Api> missing = new ArrayList<>();
        for (Api api : apis) {
            if (!present(api.name(), loader)) {
                missing.add(api);
            }
        }
        return missing;
    }

    private static boolean present(String name, ClassLoader loader) {
        int hash = name.indexOf('#');
        try {
            if (hash < 0) {
                Class.forName(name, false, loader);
                return true;
            }
            Class<?> type = Class.forName(name.substring(0, hash), false, loader);
            String signature = name.substring(hash + 1);
            String method = signature.substring(0, signature.indexOf('('));
            String params = signature.substring(signature.indexOf('(') + 1, signature.length() - 1);
            List<Class<?>> types = new ArrayList<>();
            for (String param : params.isEmpty() ? new String[0] : params.split(",")) {
                types.add(type(param.trim(), loader));
            }
            type.getMethod(method, types.toArray(Class<?>[]::new));
            return true;
        } catch (ClassNotFoundException | NoSuchMethodException | LinkageError e) {
            return false;
        }
    }
}
