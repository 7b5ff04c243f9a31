package io.github.mcpauthz.consent;

import io.github.mcpauthz.core.client.DynamicClients;
import io.github.mcpauthz.core.client.DisplayText;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.chrono.IsoChronology;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.FormatStyle;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the MCP consent page shows (template attribute {@code mcp}). Getters only; every string a client chose is
 * already cut to a displayable length here, and the template prints it with FreeMarker's HTML auto-escaping, never
 * through {@code msg}/{@code advancedMsg} (which would expand {@code ${...}} message keys inside it).
 */
public final class McpConsentBean {

    /** Per locale; Keycloak offers a few dozen locales at most. */
    private static final Map<Locale, DateTimeFormatter> FORMATS = new ConcurrentHashMap<>();

    /** Longest client name shown, in code points (longer ones end with "…"). */
    public static final int MAX_NAME = 80;
    /** Longest host, URI or identifier shown, in code points. */
    public static final int MAX_VALUE = 200;

    /** Kinds of redirect target. */
    public static final String TARGET_LOOPBACK = "loopback";
    public static final String TARGET_WEB = "web";
    public static final String TARGET_APP = "app";
    public static final String TARGET_UNKNOWN = "unknown";

    private final String clientName;
    private final String clientId;
    private final String clientItem;
    private final boolean allowedBefore;
    private final String registrationMethod;
    private final String verifiedHost;
    private final String registeredAtText;
    private final String registeredAtIso;
    private final String registeredAgeUnit;
    private final long registeredAgeValue;
    private final String redirectHost;
    private final String redirectUri;
    private final String redirectKind;
    private final String serverName;
    private final String serverUri;
    private final String serverItem;
    private final boolean serverAllowedBefore;
    private final List<Scope> scopes;
    private final Scope offline;

    McpConsentBean(Client client, Redirect redirect, String serverName, String serverUri, String serverItem,
                   boolean serverAllowedBefore, List<Scope> scopes, Scope offline, Locale locale, long nowMillis) {
        String name = client.name() == null || client.name().isBlank() ? client.clientId() : client.name();
        this.clientName = display(name, MAX_NAME);
        this.clientItem = client.consentItem();
        this.allowedBefore = client.allowedBefore();
        this.clientId = display(client.clientId(), MAX_VALUE);
        this.registrationMethod = client.method() == null ? "unknown" : client.method();
        this.verifiedHost = DynamicClients.METHOD_CIMD.equals(client.method()) ? display(cimdHost(client.clientId()), MAX_VALUE) : null;
        if (client.registeredAtSeconds() != null) {
            Instant at = Instant.ofEpochSecond(client.registeredAtSeconds());
            this.registeredAtText = registeredAtFormat(locale == null ? Locale.ENGLISH : locale).format(at);
            this.registeredAtIso = DateTimeFormatter.ISO_INSTANT.format(at);
            long minutes = Math.max(0, (nowMillis - at.toEpochMilli()) / 60_000);
            if (minutes < 1) {
                registeredAgeUnit = "now";
                registeredAgeValue = 0;
            } else if (minutes < 120) {
                registeredAgeUnit = "minutes";
                registeredAgeValue = minutes;
            } else if (minutes < 48 * 60) {
                registeredAgeUnit = "hours";
                registeredAgeValue = minutes / 60;
            } else {
                registeredAgeUnit = "days";
                registeredAgeValue = minutes / (24 * 60);
            }
        } else {
            this.registeredAtText = null;
            this.registeredAtIso = null;
            this.registeredAgeUnit = null;
            this.registeredAgeValue = 0;
        }
        this.redirectHost = redirect.host() == null ? null : display(redirect.host(), MAX_VALUE);
        this.redirectUri = redirect.uri() == null ? null : display(redirect.uri(), MAX_VALUE);
        this.redirectKind = redirect.kind();
        this.serverName = serverName == null ? null : display(serverName, MAX_NAME);
        this.serverUri = serverUri == null ? null : display(serverUri, MAX_VALUE);
        this.serverItem = serverUri == null ? null : serverItem;
        this.serverAllowedBefore = serverUri != null && serverAllowedBefore;
        this.scopes = List.copyOf(scopes);
        this.offline = offline;
    }

    /** The client's name ({@code client_name}), or its client_id when it has none; at most {@value #MAX_NAME} code points. */
    public String getClientName() {
        return clientName;
    }

    public String getClientId() {
        return clientId;
    }

    /**
     * Keycloak's consent item for the client itself (its consent text) when this user has not allowed the client
     * before, else null. Like the other {@code ...Item} values it is only written to a {@code data-consent-item}
     * attribute, for tests and automation: the page shows the client by name instead.
     */
    public String getClientItem() {
        return clientItem;
    }

    /** Whether this user has allowed the client before (a consent is stored for the client). */
    public boolean isAllowedBefore() {
        return allowedBefore;
    }

    /** {@code dcr-anonymous}, {@code dcr-initial-access-token}, {@code dcr-bearer-token}, {@code cimd} or {@code unknown}. */
    public String getRegistrationMethod() {
        return registrationMethod;
    }

    /** The message key that names {@link #getRegistrationMethod()} on the page ({@code mcpConsentMethod...}). */
    public String getRegistrationMethodKey() {
        return switch (registrationMethod) {
            case "dcr-anonymous" -> "mcpConsentMethodAnonymous";
            case "dcr-initial-access-token" -> "mcpConsentMethodInitialAccessToken";
            case "dcr-bearer-token" -> "mcpConsentMethodBearerToken";
            case DynamicClients.METHOD_CIMD -> "mcpConsentMethodCimd";
            default -> "mcpConsentMethodUnknown";
        };
    }

    /** For CIMD clients, the host of the client_id URL (the domain that serves the client's metadata); else null. */
    public String getVerifiedHost() {
        return verifiedHost;
    }

    /** Registration time formatted for the page's locale, in UTC; null when unknown. */
    public String getRegisteredAtText() {
        return registeredAtText;
    }

    /** Registration time as ISO-8601 (for {@code <time datetime>}); null when unknown. */
    public String getRegisteredAtIso() {
        return registeredAtIso;
    }

    /** {@code now}, {@code minutes}, {@code hours} or {@code days}: how long ago the client registered; null when unknown. */
    public String getRegisteredAgeUnit() {
        return registeredAgeUnit;
    }

    /**
     * The message key that says how long ago the client registered ({@code mcpConsentAgeNow}, ...{@code Minutes},
     * ...{@code Hours}, ...{@code Days}; its argument is {@link #getRegisteredAgeValue()}); null when unknown. The
     * page prints {@code msg(mcp.registeredAgeKey, mcp.registeredAgeValue)}: FreeMarker compares strings with a
     * locale collator, so a {@code #switch} on the unit would cost more than the rest of the list.
     */
    public String getRegisteredAgeKey() {
        if (registeredAgeUnit == null) {
            return null;
        }
        return switch (registeredAgeUnit) {
            case "now" -> "mcpConsentAgeNow";
            case "minutes" -> "mcpConsentAgeMinutes";
            case "hours" -> "mcpConsentAgeHours";
            default -> "mcpConsentAgeDays";
        };
    }

    public long getRegisteredAgeValue() {
        return registeredAgeValue;
    }

    /** Host of this request's redirect URI, or for a private-use scheme the scheme; null when unknown. */
    public String getRedirectHost() {
        return redirectHost;
    }

    /** This request's redirect URI, shortened. */
    public String getRedirectUri() {
        return redirectUri;
    }

    /** {@value #TARGET_LOOPBACK}, {@value #TARGET_WEB}, {@value #TARGET_APP} or {@value #TARGET_UNKNOWN}. */
    public String getRedirectKind() {
        return redirectKind;
    }

    /** Whether the code goes to a program on the user's own computer (127.0.0.1, [::1], localhost). */
    public boolean isLoopback() {
        return TARGET_LOOPBACK.equals(redirectKind);
    }

    /** Whether the code goes to a web site (an http or https redirect URI that is not loopback). */
    public boolean isWebRedirect() {
        return TARGET_WEB.equals(redirectKind);
    }

    /** Whether the code goes to an app through a private-use URI scheme (then {@link #getRedirectHost()} is the scheme). */
    public boolean isPrivateUseScheme() {
        return TARGET_APP.equals(redirectKind);
    }

    /** Whether the request names an MCP server (its own {@code resource}, or the realm's default server). */
    public boolean isServerNamed() {
        return serverUri != null;
    }

    public String getServerName() {
        return serverName;
    }

    public String getServerUri() {
        return serverUri;
    }

    /** Keycloak's consent item for the MCP server (its grant scope's text) when not allowed before, else null. */
    public String getServerItem() {
        return serverItem;
    }

    /** Whether the user allowed this client access to this MCP server before. */
    public boolean isServerAllowedBefore() {
        return serverAllowedBefore;
    }

    /** The requested scopes to show: neither the client itself, nor the MCP server grant, nor offline_access. */
    public List<Scope> getScopes() {
        return scopes;
    }

    /** Whether the request asks for offline access (a refresh token that outlives the user's session). */
    public boolean isOfflineAccess() {
        return offline != null;
    }

    /** The offline_access scope of the request, or null. */
    public Scope getOffline() {
        return offline;
    }

    /** One requested scope. {@code text} is the realm's consent text (admin-defined; may be a {@code ${key}}). */
    public static final class Scope {

        private final String name;
        private final String text;
        private final String parameter;
        private final boolean pending;
        private final boolean granted;

        public Scope(String name, String text, String parameter, boolean pending, boolean granted) {
            this.name = name;
            this.text = text;
            this.parameter = parameter == null ? null : display(parameter, MAX_VALUE);
            this.pending = pending;
            this.granted = granted;
        }

        public String getName() {
            return name;
        }

        public String getText() {
            return text;
        }

        /** The parameter of a parameterized scope (chosen by the client), or null. */
        public String getParameter() {
            return parameter;
        }

        /** True when Keycloak asks consent for this scope now (false: already allowed, not asked again). */
        public boolean isPending() {
            return pending;
        }

        /** True when the user's stored consent for the client already includes this scope. */
        public boolean isGranted() {
            return granted;
        }
    }

    /**
     * The client facts the page shows; {@code consentItem} is the client's consent text if Keycloak asks consent for
     * the client itself, {@code allowedBefore} whether the user has a stored consent for it.
     */
    record Client(String clientId, String name, String method, Long registeredAtSeconds, String consentItem,
                  boolean allowedBefore) {
    }

    /** Where the authorization response goes. */
    record Redirect(String uri, String host, String kind) {

        static Redirect of(String redirectUri) {
            if (redirectUri == null || redirectUri.isBlank()) {
                return new Redirect(null, null, TARGET_UNKNOWN);
            }
            URI uri;
            try {
                uri = new URI(redirectUri);
            } catch (URISyntaxException e) {
                return new Redirect(redirectUri, null, TARGET_UNKNOWN);
            }
            String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
            if (scheme == null) {
                return new Redirect(redirectUri, null, TARGET_UNKNOWN);
            }
            if (scheme.equals("http") || scheme.equals("https")) {
                String host = uri.getHost();
                if (host == null || host.isEmpty()) {
                    return new Redirect(redirectUri, null, TARGET_UNKNOWN);
                }
                host = host.toLowerCase(Locale.ROOT);
                return new Redirect(redirectUri, host, isLoopbackHost(host) ? TARGET_LOOPBACK : TARGET_WEB);
            }
            return new Redirect(redirectUri, scheme, TARGET_APP);
        }
    }

    /** 127.0.0.0/8, ::1 (with or without brackets, in any spelling Java's URI keeps) and localhost. */
    static boolean isLoopbackHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        if (h.equals("::1") || h.equals("0:0:0:0:0:0:0:1") || h.equals("0000:0000:0000:0000:0000:0000:0000:0001")) {
            return true;
        }
        String[] parts = h.split("\\.", -1);
        if (parts.length != 4 || !parts[0].equals("127")) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                return false;
            }
        }
        return true;
    }

    static String cimdHost(String clientId) {
        try {
            URI uri = new URI(clientId);
            return "https".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null
                    ? uri.getHost().toLowerCase(Locale.ROOT) : null;
        } catch (URISyntaxException | NullPointerException e) {
            return null;
        }
    }

    /**
     * The registration date's format for a locale (medium date, short time, UTC), as
     * {@code DateTimeFormatter.ofLocalizedDateTime(MEDIUM, SHORT)} prints it, with the locale's pattern resolved once.
     */
    static DateTimeFormatter registeredAtFormat(Locale locale) {
        return FORMATS.computeIfAbsent(locale, l -> DateTimeFormatter.ofPattern(
                DateTimeFormatterBuilder.getLocalizedDateTimePattern(FormatStyle.MEDIUM, FormatStyle.SHORT,
                        IsoChronology.INSTANCE, l), l).withZone(ZoneOffset.UTC));
    }

    /**
     * A value fit for display: control and bidirectional formatting characters removed (the registration policy
     * refuses them, this is a second line), at most {@code max} code points, the last being "…" when cut.
     */
    static String display(String value, int max) {
        if (value == null) {
            return null;
        }
        int[] kept = value.codePoints().filter(cp -> !DisplayText.isControl(cp) && !DisplayText.isBidiControl(cp)).toArray();
        if (kept.length <= max) {
            return new String(kept, 0, kept.length);
        }
        return new String(kept, 0, max - 1) + "…";
    }
}
