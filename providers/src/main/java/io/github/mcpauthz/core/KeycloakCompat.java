package io.github.mcpauthz.core;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;
import org.keycloak.common.Version;

/**
 * Which Keycloak this jar runs in, whether the extension may act there, and which of the Keycloak APIs it can use.
 *
 * <p>The jar is built once, against Keycloak {@value #BUILT_AGAINST}. It acts on a Keycloak whose version is in
 * {@value #MIN_VERSION} up to the last release of {@value #MAX_MINOR} ({@link #supported()}); anywhere else it stays
 * inert: the MCP realm check answers false, the providers that replace one of Keycloak's hand out Keycloak's own, and
 * one WARN at start-up says why ({@link #logOnce()}). A request never reaches a missing method.
 *
 * <p>Inside the range the extension adapts by <em>capability</em>, never by version number (the Red Hat build of
 * Keycloak is 26.4-based but carries backports): each {@link Capability} is a set of Keycloak APIs, looked up once by
 * reflection, and a constant afterwards. Where one is missing, the extension uses the fallback the capability names
 * (for example the MCP authorization checks as a client-policy executor instead of the 26.7 authorization-endpoint
 * check SPI). Classes that reference a missing API are never loaded: the fallbacks live in separate classes.
 */
public final class KeycloakCompat {

    /** The Keycloak version of the pom ({@code keycloak.version}). */
    public static final String BUILT_AGAINST = "26.7.3";
    /** Lowest supported version: the oldest release whose APIs every fallback of {@link Capability} needs, CI-proven. */
    public static final String MIN_VERSION = "26.4.0";
    /** Highest supported major.minor: every patch release of it is supported. */
    public static final String MAX_MINOR = "26.7";
    /** What the WARN and the docs call the supported range. */
    public static final String RANGE = MIN_VERSION + " to " + MAX_MINOR + ".x";

    /**
     * The Keycloak APIs the extension (or its fallbacks) cannot do without, in every version of the range: a class
     * name, or {@code Class#method(Param,...)} with fully qualified parameter types. Each with the release that
     * introduced it, for the WARN.
     */
    static final List<Api> REQUIRED_APIS = List.of(
            new Api("org.keycloak.services.clientpolicy.context.AuthorizationRequestContext#getAuthorizationEndpointRequest()", "21.0.0"),
            new Api("org.keycloak.services.clientpolicy.context.AuthorizationRequestContext#getAuthenticationSession()", "21.0.0"),
            new Api("org.keycloak.protocol.oidc.endpoints.request.AuthorizationEndpointRequest#getAdditionalReqParams()", "12.0.0"),
            new Api("org.keycloak.protocol.oidc.TokenManager#isValidScope(org.keycloak.models.KeycloakSession,java.lang.String,"
                    + "org.keycloak.models.ClientModel,org.keycloak.models.UserModel)", "22.0.0"),
            new Api("org.keycloak.rar.AuthorizationDetails#getDynamicScopeParam()", "18.0.0"),
            new Api("org.keycloak.models.UserConsentModel#isClientScopeGranted(org.keycloak.models.ClientScopeModel)", "12.0.0"));

    /**
     * A group of Keycloak APIs the extension uses when present, and what it does when one of them is missing. Decided
     * once per JVM ({@link #has(Capability)}), logged at start-up.
     */
    public enum Capability {
        /** 26.7.0: the authorization-endpoint check SPI with the checker's getters. */
        AUTHORIZATION_CHECK_SPI("26.7.0",
                "the MCP authorization checks run as the client-policy executor " + "mcp-authorization-checks"
                        + " of the realm's MCP client profile (keep the MCP client policy enabled)",
                "org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointCheckProvider",
                "org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointCheckProviderFactory",
                "org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker#getAuthorizationEndpointRequest()",
                "org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker#getRealm()",
                "org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker#getClient()",
                "org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker#getEventBuilder()",
                "org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker#checkProviderAddOns()",
                "org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker#checkValidResource()",
                "org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker#checkAuthorizationDetails()",
                "org.keycloak.protocol.oidc.endpoints.request.AuthorizationEndpointRequest#getResource()"),
        /** 26.6.0: token post-processors, and the authorization code that carries its {@code resource}. */
        TOKEN_POST_PROCESSOR("26.6.0",
                "tokens are bound to the MCP server by the extension's grant types (the resource is bound to the"
                        + " code by its PKCE code_challenge)",
                "org.keycloak.protocol.oidc.token.TokenPostProcessor",
                "org.keycloak.protocol.oidc.token.TokenPostProcessorContext",
                "org.keycloak.protocol.oidc.token.TokenInterceptorException",
                "org.keycloak.protocol.oidc.utils.OAuth2Code#getResource()"),
        /** 26.6.0: consent per scope parameter. */
        PARAMETERIZED_CONSENT("26.6.0",
                "the consent page reads dynamic scopes with getDynamicScopeParam() and consent per scope parameter is"
                        + " not available",
                "org.keycloak.rar.AuthorizationDetails#getParameterizedScopeParam()",
                "org.keycloak.models.UserConsentModel#isClientScopeGranted(org.keycloak.models.ClientScopeModel,java.lang.String)"),
        /** 26.5.0: CORS preflight on the OIDC registration endpoint, and its DELETE returning a response. */
        REGISTRATION_PREFLIGHT("26.5.0",
                "the MCP registration endpoint answers the CORS preflight itself (no CORS headers on other"
                        + " registration responses)",
                "org.keycloak.services.clientregistration.oidc.OIDCClientRegistrationProvider#preflight()",
                "org.keycloak.services.clientregistration.oidc.OIDCClientRegistrationProvider#preflightClient()"),
        /** 26.7.0: the client of a pushed authorization request in its client-policy context. */
        PAR_CONTEXT_CLIENT("26.7.0", "the PAR client is read from the session context",
                "org.keycloak.protocol.oidc.par.clientpolicy.context.PushedAuthorizationRequestContext#getClient()"),
        /** 26.7.0: the discovery field for client ID metadata documents. */
        CIMD_DISCOVERY_FIELD("26.7.0", "client_id_metadata_document_supported is written as an extra discovery claim",
                "org.keycloak.protocol.oidc.representations.OIDCConfigurationRepresentation#setClientIdMetadataDocumentSupported(java.lang.Boolean)"),
        /** 26.5.0: scopes restricted by the token exchange provider. */
        TOKEN_EXCHANGE_RESTRICTED_SCOPES("26.5.0",
                "token exchange of MCP server tokens is off (Keycloak's own standard exchange refuses them)",
                "org.keycloak.protocol.oidc.TokenExchangeContext#getRestrictedScopes()",
                "org.keycloak.protocol.oidc.TokenExchangeContext#setRestrictedScopes(java.util.Set)"),
        /** 26.5.0: the client-credentials grant asks its subclass whether to issue a refresh token. */
        CLIENT_CREDENTIALS_REFRESH_HOOK("26.5.0",
                "the client-credentials grant drops the refresh token of a machine client's server token itself",
                "org.keycloak.protocol.oidc.grants.ClientCredentialsGrantType#useRefreshToken()"),
        /** The JWT authorization grant SPI as the ID-JAG profile uses it (26.7 shape). */
        JWT_AUTHORIZATION_GRANT("26.7.0", "ID-JAG (the MCP enterprise-managed authorization grant) is off",
                "org.keycloak.protocol.oidc.grants.JWTAuthorizationGrantType",
                "org.keycloak.protocol.oidc.grants.DefaultJWTAuthorizationGrantValidator",
                "org.keycloak.broker.provider.JWTAuthorizationGrantProvider",
                "org.keycloak.models.IdentityProviderQuery",
                "org.keycloak.cache.AlternativeLookupProvider#lookupIdentityProviderFromIssuer(org.keycloak.models.KeycloakSession,"
                        + "org.keycloak.models.IdentityProviderType,java.lang.String)",
                "org.keycloak.protocol.oidc.TokenManager#verifyConsentStillAvailable(org.keycloak.models.KeycloakSession,"
                        + "org.keycloak.models.UserModel,org.keycloak.models.ClientModel,"
                        + "org.keycloak.models.AuthenticatedClientSessionModel,java.lang.String)",
                "org.keycloak.services.clientpolicy.context.JWTAuthorizationGrantContext#<init>(org.keycloak.models.KeycloakSession,"
                        + "org.keycloak.protocol.oidc.JWTAuthorizationGrantValidationContext,java.lang.String)",
                "org.keycloak.protocol.oidc.OIDCAdvancedConfigWrapper#getJWTAuthorizationGrantAllowedIdentityProviders()");

        private final String since;
        private final String fallback;
        private final List<Api> apis;

        Capability(String since, String fallback, String... apis) {
            this.since = since;
            this.fallback = fallback;
            this.apis = java.util.Arrays.stream(apis).map(a -> new Api(a, since)).toList();
        }

        /** The Keycloak release that has every API of this capability. */
        public String since() {
            return since;
        }

        /** What the extension does when the capability is missing. */
        public String fallback() {
            return fallback;
        }

        List<Api> apis() {
            return apis;
        }
    }

    private static final Logger LOG = Logger.getLogger(KeycloakCompat.class);
    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?(.*)$");
    private static final AtomicBoolean LOGGED = new AtomicBoolean();

    /** A Keycloak API: a class, a public method of it, or ({@code #<init>(...)}) a public constructor. */
    record Api(String name, String since) {
    }

    /** The verdict for the running Keycloak: computed once, when first asked. */
    private static final class Running {
        static final String VERSION_STRING = Version.VERSION;
        static final List<Api> MISSING = missing(REQUIRED_APIS, KeycloakCompat.class.getClassLoader());
        static final String REASON = unsupportedReason(VERSION_STRING, MISSING);
        static final Set<Capability> CAPABILITIES = capabilities(KeycloakCompat.class.getClassLoader());
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

    /**
     * Whether the running Keycloak has every API of {@code capability} (and the extension is {@link #supported()}).
     * A constant after the first call (hot-path safe).
     */
    public static boolean has(Capability capability) {
        return supported() && Running.CAPABILITIES.contains(capability);
    }

    /**
     * Logs the verdict once per JVM: WARN when inert (with the reason), INFO otherwise, naming each capability that is
     * missing and the fallback used instead. Call from a factory's postInit.
     */
    public static void logOnce() {
        if (!LOGGED.compareAndSet(false, true)) {
            return;
        }
        if (supported()) {
            LOG.info(activeSummary(keycloakVersion(), Running.CAPABILITIES));
        } else {
            LOG.warn(unsupportedReason());
        }
    }

    /** The INFO line of an active extension: the version, the capabilities on, and for each one off its fallback. */
    static String activeSummary(String version, Set<Capability> present) {
        StringBuilder out = new StringBuilder("keycloak-mcp-authz: Keycloak ").append(version)
                .append(" is in the supported range ").append(RANGE).append("; MCP support is active. Capabilities on: ");
        List<String> on = new ArrayList<>();
        List<String> off = new ArrayList<>();
        for (Capability c : Capability.values()) {
            if (present.contains(c)) {
                on.add(c.name());
            } else {
                off.add(c.name() + " (Keycloak " + c.since() + "): " + c.fallback());
            }
        }
        out.append(on.isEmpty() ? "none" : String.join(", ", on));
        if (!off.isEmpty()) {
            out.append(". Missing, with fallback: ").append(String.join("; ", off));
        }
        return out.append('.').toString();
    }

    /** The capabilities whose every API {@code loader} has. */
    static Set<Capability> capabilities(ClassLoader loader) {
        Set<Capability> present = EnumSet.noneOf(Capability.class);
        for (Capability c : Capability.values()) {
            if (missing(c.apis(), loader).isEmpty()) {
                present.add(c);
            }
        }
        return present;
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

    /** A public method of {@code type}, or a protected/public one declared by it or a superclass. */
    private static void method(Class<?> type, String name, Class<?>[] params) throws NoSuchMethodException {
        try {
            type.getMethod(name, params);
            return;
        } catch (NoSuchMethodException notPublic) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                try {
                    java.lang.reflect.Method m = c.getDeclaredMethod(name, params);
                    if (!java.lang.reflect.Modifier.isPrivate(m.getModifiers())) {
                        return;
                    }
                } catch (NoSuchMethodException notHere) {
                    // next superclass
                }
            }
            throw notPublic;
        }
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
            boolean constructor = "<init>".equals(method);
            String params = signature.substring(signature.indexOf('(') + 1, signature.length() - 1);
            List<Class<?>> types = new ArrayList<>();
            for (String param : params.isEmpty() ? new String[0] : params.split(",")) {
                types.add(type(param.trim(), loader));
            }
            if (constructor) {
                type.getConstructor(types.toArray(Class<?>[]::new));
            } else {
                method(type, method, types.toArray(Class<?>[]::new));
            }
            return true;
        } catch (ClassNotFoundException | NoSuchMethodException | LinkageError e) {
            return false;
        }
    }
}
