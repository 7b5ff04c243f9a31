package io.github.mcpauthz.core.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which redirect URIs a dynamic MCP client may register (RFC 8252, RFC 9700, OIDC DCR §2, MCP SEP-837).
 *
 * <ul>
 *   <li>{@code https} with a host: any application type; never a link-local or unspecified IP address;</li>
 *   <li>{@code http} only on a loopback host ({@code 127.0.0.1}, {@code [::1]}, {@code localhost}), native apps only;
 *       stored without its port, so the authorization request may use any port (RFC 8252 §7.3);</li>
 *   <li>a private-use scheme, native apps only: a reverse-DNS scheme ({@code com.example.app:/cb}, RFC 8252 §7.1),
 *       or a single-word scheme on the realm's allow-list ({@code cursor://...}). Never a scheme that a browser or
 *       the operating system gives another meaning ({@code javascript:}, {@code ms-msdt:}, {@code search-ms:}, ...),
 *       even when it is written in reverse-DNS form or an administrator lists it.</li>
 * </ul>
 * Always refused: wildcards, fragments, user info, IPv6 zone ids, ports outside 1-65535, dot segments in the path,
 * relative or malformed URIs.
 */
public final class RedirectUriRules {

    public static final int MAX_LENGTH = 2000;

    /** Loopback hosts as {@link java.net.URI#getHost()} gives them (IPv6 in brackets), lower case. */
    public static final Set<String> LOOPBACK_HOSTS = Set.of("127.0.0.1", "[::1]", "localhost");

    /**
     * Single-word schemes that real MCP clients register: Cursor ({@code cursor://anysphere.cursor-mcp/oauth/callback}),
     * VS Code and VS Code Insiders ({@code vscode://}, {@code vscode-insiders://}, their URI handlers), Windsurf
     * ({@code windsurf://}) and Claude ({@code claude://}).
     */
    public static final List<String> DEFAULT_ALLOWED_SCHEMES = List.of("cursor", "vscode", "vscode-insiders", "windsurf", "claude");

    /**
     * Schemes that are not private-use: executing, local-file, owned by another protocol, or handed by the operating
     * system to another program (Windows protocol handlers, Office, app stores, Java Web Start, ...).
     */
    static final Set<String> FORBIDDEN_SCHEMES = Set.of(
            "javascript", "vbscript", "livescript", "jscript", "mocha", "data", "file", "blob", "filesystem", "about",
            "view-source", "jar", "ftp", "ftps", "ws", "wss", "mailto", "tel", "sms", "mms", "urn", "intent", "chrome",
            "chrome-extension", "moz-extension", "resource", "shell", "smb", "nfs", "afp", "ldap", "ldaps", "gopher",
            "telnet", "ssh", "sftp", "rlogin", "jnlp", "jnlps", "search", "search-ms", "mk", "its", "mhtml", "hcp",
            "res", "help", "ie.http", "microsoft-edge", "microsoft-edge-holographic", "itms", "itmss", "itms-apps",
            "itms-services", "itms-appss", "macappstore", "macappstores", "settings", "calculator", "onenote",
            "outlook", "skype", "steam", "zoommtg", "msteams", "teams", "callto", "facetime", "facetime-audio",
            "x-apple.systempreferences", "x-javascript", "vnd.ms-excel", "vnd.ms-word", "vnd.ms-powerpoint",
            "windows", "windowsdefender", "wsl", "powershell", "cmd", "bash");

    /**
     * Prefixes of operating-system handler families: {@code ms-*} (ms-msdt, ms-officecmd, ms-settings, ms-word, ...),
     * {@code microsoft-*}, {@code x-*} (x-apple.*, x-javascript), {@code vnd.ms}, {@code itms*} and the vendor
     * namespaces of the two desktop operating systems.
     */
    static final List<String> FORBIDDEN_PREFIXES = List.of("ms-", "microsoft", "x-", "vnd.", "itms", "windows",
            "com.apple.", "com.microsoft.", "apple.", "microsoft.");

    private static final Pattern SCHEME_LABEL = Pattern.compile("[a-z][a-z0-9-]*");
    private static final Pattern SINGLE_WORD = Pattern.compile("[a-z][a-z0-9+.-]*");

    private RedirectUriRules() {
    }

    /** The kind of a redirect URI, which decides what application types may use it. */
    public enum Kind { HTTPS, LOOPBACK, PRIVATE_USE }

    /** A redirect URI accepted for registration, in the form it is stored. */
    public record Accepted(String stored, Kind kind, String host) {
    }

    /** With the default allow-list of single-word schemes. */
    public static Accepted check(String raw, boolean allowPrivateUseSchemes) throws ClientMetadataException {
        return check(raw, allowPrivateUseSchemes, DEFAULT_ALLOWED_SCHEMES);
    }

    public static Accepted check(String raw, boolean allowPrivateUseSchemes, List<String> allowedSchemes)
            throws ClientMetadataException {
        if (raw == null || raw.isEmpty()) {
            throw ClientMetadataException.redirect("redirect_uris must not contain empty values");
        }
        String shown = abbreviate(raw);
        if (raw.length() > MAX_LENGTH) {
            throw ClientMetadataException.redirect("redirect URI is longer than " + MAX_LENGTH + " characters: " + shown);
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c <= 0x20 || c == 0x7f) {
                throw ClientMetadataException.redirect("redirect URI contains whitespace or control characters: " + shown);
            }
        }
        if (raw.codePoints().anyMatch(cp -> DisplayText.isControl(cp) || DisplayText.isBidiControl(cp) || DisplayText.isInvisible(cp))) {
            // A URI shown to the user (consent page, admin console) must read as what it is.
            throw ClientMetadataException.redirect("redirect URI contains bidirectional-formatting or invisible characters: " + shown);
        }
        if (raw.indexOf('*') >= 0) {
            throw ClientMetadataException.redirect("redirect URI must not contain wildcards: " + shown);
        }
        if (raw.indexOf('#') >= 0) {
            throw ClientMetadataException.redirect("redirect URI must not contain a fragment: " + shown);
        }
        URI uri;
        try {
            uri = new URI(raw);
        } catch (URISyntaxException e) {
            throw ClientMetadataException.redirect("redirect URI is not a valid URI: " + shown);
        }
        if (!uri.isAbsolute()) {
            throw ClientMetadataException.redirect("redirect URI must be absolute: " + shown);
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String authority = uri.getRawAuthority();
        if (uri.getRawUserInfo() != null || (authority != null && authority.contains("@"))) {
            throw ClientMetadataException.redirect("redirect URI must not contain user information: " + shown);
        }
        if (authority != null && authority.contains("%")) {
            throw ClientMetadataException.redirect("redirect URI must not contain an IPv6 zone id or an encoded host: " + shown);
        }
        checkPort(uri, authority, shown);
        if (hasDotSegment(uri.getRawPath() != null ? uri.getRawPath() : uri.getRawSchemeSpecificPart())) {
            throw ClientMetadataException.redirect("redirect URI must not contain . or .. path segments: " + shown);
        }
        if (scheme.equals("https")) {
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                throw ClientMetadataException.redirect("https redirect URI must name a host: " + shown);
            }
            String host = uri.getHost().toLowerCase(Locale.ROOT);
            if (isLinkLocalOrUnspecified(host)) {
                throw ClientMetadataException.redirect("redirect URI must not point to a link-local or unspecified address: " + shown);
            }
            return new Accepted(raw, Kind.HTTPS, host);
        }
        if (scheme.equals("http")) {
            String host = uri.getHost() == null ? null : uri.getHost().toLowerCase(Locale.ROOT);
            if (host == null || !LOOPBACK_HOSTS.contains(host)) {
                throw ClientMetadataException.redirect(
                        "http redirect URIs are allowed only on loopback hosts (127.0.0.1, [::1], localhost): " + shown);
            }
            // Any port matches at authorization time when the registered loopback URI has none (RFC 8252 §7.3).
            String stored = "http://" + host + (uri.getRawPath() == null ? "" : uri.getRawPath())
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            return new Accepted(stored, Kind.LOOPBACK, host);
        }
        if (isForbiddenScheme(scheme)) {
            throw ClientMetadataException.redirect("redirect URI scheme \"" + shortScheme(scheme)
                    + "\" is not allowed (another program would handle it): " + shown);
        }
        if (!allowPrivateUseSchemes) {
            throw ClientMetadataException.redirect("private-use URI schemes are not allowed in this realm: " + shown);
        }
        if (!isReverseDns(scheme) && !allowedSchemes.contains(scheme)) {
            throw ClientMetadataException.redirect("private-use URI scheme \"" + shortScheme(scheme) + "\" is not allowed: use a "
                    + "reverse domain name scheme such as com.example.app (RFC 8252 §7.1); single-word schemes "
                    + "must be on the realm's list (" + String.join(", ", allowedSchemes) + "): " + shown);
        }
        return new Accepted(raw, Kind.PRIVATE_USE, scheme + ":");
    }

    /** A scheme no client may register: on the deny list or in a denied family, whatever the realm allows. */
    public static boolean isForbiddenScheme(String scheme) {
        String s = scheme.toLowerCase(Locale.ROOT);
        if (s.equals("http") || s.equals("https") || FORBIDDEN_SCHEMES.contains(s)) {
            return true;
        }
        for (String prefix : FORBIDDEN_PREFIXES) {
            if (s.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** A reverse domain name scheme: at least two dot-separated labels, such as {@code com.example.app}. */
    public static boolean isReverseDns(String scheme) {
        String[] labels = scheme.toLowerCase(Locale.ROOT).split("\\.", -1);
        if (labels.length < 2) {
            return false;
        }
        for (String label : labels) {
            if (!SCHEME_LABEL.matcher(label).matches() || label.endsWith("-")) {
                return false;
            }
        }
        return true;
    }

    /** Whether a word may be put on the realm's list of single-word schemes. */
    public static boolean isAllowableSingleWordScheme(String scheme) {
        return SINGLE_WORD.matcher(scheme).matches() && scheme.indexOf('.') < 0 && !isForbiddenScheme(scheme);
    }

    private static void checkPort(URI uri, String authority, String shown) throws ClientMetadataException {
        if (authority == null) {
            return;
        }
        int port = uri.getPort();
        if (uri.getHost() == null) {
            // java.net.URI falls back to a registry authority when the port is out of range or not a number.
            String afterHost = authority.startsWith("[") ? authority.substring(authority.indexOf(']') + 1) : authority;
            if (afterHost.contains(":")) {
                throw ClientMetadataException.redirect("redirect URI has an invalid port: " + shown);
            }
            return;
        }
        if (port == 0 || port > 65535 || (port == -1 && authority.endsWith(":"))) {
            throw ClientMetadataException.redirect("redirect URI has an invalid port: " + shown);
        }
    }

    static boolean hasDotSegment(String rawPath) {
        if (rawPath == null) {
            return false;
        }
        String path = rawPath.toLowerCase(Locale.ROOT).replace("%2e", ".");
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    /** IPv4 169.254.0.0/16 and 0.0.0.0/8, IPv6 fe80::/10 and {@code ::}; host names are not resolved here. */
    static boolean isLinkLocalOrUnspecified(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            String[] parts = h.split("\\.");
            int a = Integer.parseInt(parts[0]);
            int b = Integer.parseInt(parts[1]);
            return (a == 169 && b == 254) || a == 0;
        }
        if (h.contains(":")) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.matches("[0:]+")) {
                return true;
            }
            String first = lower.startsWith(":") ? "0" : lower.substring(0, lower.indexOf(':'));
            try {
                int word = Integer.parseInt(first, 16);
                return (word & 0xffc0) == 0xfe80;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return false;
    }

    /** Whether an application type may use a redirect URI of this kind (OIDC DCR §2). */
    public static void checkApplicationType(Accepted accepted, ApplicationType type, String raw) throws ClientMetadataException {
        if (type == ApplicationType.WEB && accepted.kind() != Kind.HTTPS) {
            throw ClientMetadataException.redirect("application_type \"web\" may only use https redirect URIs; "
                    + "register as \"native\" for loopback or private-use redirect URIs: " + abbreviate(raw));
        }
    }

    private static String shortScheme(String scheme) {
        return scheme.length() <= 40 ? scheme : scheme.substring(0, 40) + "...";
    }

    public static String abbreviate(String value) {
        return value.length() <= 200 ? value : value.substring(0, 200) + "...";
    }
}
