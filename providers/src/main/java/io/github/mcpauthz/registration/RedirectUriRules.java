package io.github.mcpauthz.registration;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * Which redirect URIs a dynamic MCP client may register (RFC 8252, RFC 9700, OIDC DCR §2, MCP SEP-837).
 *
 * <ul>
 *   <li>{@code https} with a host: any application type;</li>
 *   <li>{@code http} only on a loopback host ({@code 127.0.0.1}, {@code [::1]}, {@code localhost}), native apps only;
 *       stored without its port, so the authorization request may use any port (RFC 8252 §7.3);</li>
 *   <li>a private-use scheme ({@code com.example.app:/cb}, {@code cursor://...}): native apps only, and never a
 *       scheme that a browser or OS gives another meaning ({@code javascript:}, {@code data:}, {@code file:}, ...).</li>
 * </ul>
 * Always refused: wildcards, fragments, user info, relative or malformed URIs.
 */
public final class RedirectUriRules {

    public static final int MAX_LENGTH = 2000;

    static final Set<String> LOOPBACK_HOSTS = Set.of("127.0.0.1", "[::1]", "localhost");

    /** Schemes that are not private-use: executing, local-file, or owned by another protocol. */
    static final Set<String> FORBIDDEN_SCHEMES = Set.of(
            "javascript", "vbscript", "data", "file", "blob", "filesystem", "about", "view-source", "jar",
            "ftp", "ftps", "ws", "wss", "mailto", "tel", "sms", "urn", "intent", "chrome", "chrome-extension",
            "moz-extension", "resource", "ms-settings", "shell", "smb", "ldap", "gopher", "telnet", "ssh");

    private RedirectUriRules() {
    }

    /** The kind of a redirect URI, which decides what application types may use it. */
    public enum Kind { HTTPS, LOOPBACK, PRIVATE_USE }

    /** A redirect URI accepted for registration, in the form it is stored. */
    public record Accepted(String stored, Kind kind, String host) {
    }

    public static Accepted check(String raw, boolean allowPrivateUseSchemes) throws ClientMetadataException {
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
        if (uri.getRawUserInfo() != null || (uri.getRawAuthority() != null && uri.getRawAuthority().contains("@"))) {
            throw ClientMetadataException.redirect("redirect URI must not contain user information: " + shown);
        }
        if (scheme.equals("https")) {
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                throw ClientMetadataException.redirect("https redirect URI must name a host: " + shown);
            }
            return new Accepted(raw, Kind.HTTPS, uri.getHost().toLowerCase(Locale.ROOT));
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
        if (FORBIDDEN_SCHEMES.contains(scheme)) {
            throw ClientMetadataException.redirect("redirect URI scheme \"" + scheme + "\" is not allowed: " + shown);
        }
        if (!allowPrivateUseSchemes) {
            throw ClientMetadataException.redirect("private-use URI schemes are not allowed in this realm: " + shown);
        }
        return new Accepted(raw, Kind.PRIVATE_USE, scheme + ":");
    }

    /** Whether an application type may use a redirect URI of this kind (OIDC DCR §2). */
    public static void checkApplicationType(Accepted accepted, ApplicationType type, String raw) throws ClientMetadataException {
        if (type == ApplicationType.WEB && accepted.kind() != Kind.HTTPS) {
            throw ClientMetadataException.redirect("application_type \"web\" may only use https redirect URIs; "
                    + "register as \"native\" for loopback or private-use redirect URIs: " + abbreviate(raw));
        }
    }

    static String abbreviate(String value) {
        return value.length() <= 200 ? value : value.substring(0, 200) + "...";
    }
}
