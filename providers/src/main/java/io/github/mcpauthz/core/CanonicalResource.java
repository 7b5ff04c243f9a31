package io.github.mcpauthz.core;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * An MCP server's canonical resource URI (MCP authorization spec, "Canonical Server URI"; RFC 8707 §2).
 *
 * <p>Two spellings denote the same resource when they differ only in the case of scheme and host,
 * in an explicit default port, or in one trailing slash on the path (older MCP SDKs send
 * {@code https://host/} for {@code https://host}). {@link #matchKey()} is equal for such spellings;
 * {@link #uri()} is the normalised form used as the token audience.
 */
public final class CanonicalResource {

    /** Longest resource URI accepted; longer values are rejected rather than truncated. */
    public static final int MAX_LENGTH = 2048;

    private final String uri;
    private final String matchKey;

    private CanonicalResource(String uri, String matchKey) {
        this.uri = uri;
        this.matchKey = matchKey;
    }

    /** The normalised URI: lowercase scheme and host, no default port, path kept as given (except a bare "/"). */
    public String uri() {
        return uri;
    }

    /** Comparison key: {@link #uri()} without one trailing slash. */
    public String matchKey() {
        return matchKey;
    }

    /**
     * Parses a resource indicator.
     *
     * @throws InvalidResourceException with a description fit for an {@code invalid_target} response
     */
    public static CanonicalResource parse(String raw) throws InvalidResourceException {
        if (raw == null || raw.isBlank()) {
            throw new InvalidResourceException("resource is empty");
        }
        if (raw.length() > MAX_LENGTH) {
            throw new InvalidResourceException("resource is longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c <= 0x20 || c == 0x7f) {
                throw new InvalidResourceException("resource contains whitespace or control characters");
            }
        }
        URI parsed;
        try {
            parsed = new URI(raw);
        } catch (URISyntaxException e) {
            throw new InvalidResourceException("resource is not a valid URI");
        }
        if (!parsed.isAbsolute()) {
            throw new InvalidResourceException("resource must be an absolute URI");
        }
        if (parsed.isOpaque()) {
            throw new InvalidResourceException("resource must be a hierarchical http or https URI");
        }
        String scheme = parsed.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new InvalidResourceException("resource must use the http or https scheme");
        }
        if (parsed.getRawFragment() != null || raw.indexOf('#') >= 0) {
            throw new InvalidResourceException("resource must not contain a fragment");
        }
        if (parsed.getRawQuery() != null || raw.indexOf('?') >= 0) {
            throw new InvalidResourceException("resource must not contain a query");
        }
        if (parsed.getRawUserInfo() != null) {
            throw new InvalidResourceException("resource must not contain user information");
        }
        String host = parsed.getHost();
        if (host == null || host.isEmpty()) {
            throw new InvalidResourceException("resource must name a host");
        }
        host = host.toLowerCase(Locale.ROOT);
        int port = parsed.getPort();
        if (port == defaultPort(scheme)) {
            port = -1;
        }
        String path = parsed.getRawPath() == null ? "" : parsed.getRawPath();
        for (String segment : path.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new InvalidResourceException("resource must not contain dot segments");
            }
        }
        if (path.equals("/")) {
            path = "";
        }
        StringBuilder sb = new StringBuilder(scheme).append("://").append(host);
        if (port != -1) {
            sb.append(':').append(port);
        }
        sb.append(path);
        String normalised = sb.toString();
        String key = normalised.endsWith("/") ? normalised.substring(0, normalised.length() - 1) : normalised;
        return new CanonicalResource(normalised, key);
    }

    private static int defaultPort(String scheme) {
        return scheme.equals("https") ? 443 : 80;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CanonicalResource other && other.matchKey.equals(matchKey);
    }

    @Override
    public int hashCode() {
        return matchKey.hashCode();
    }

    @Override
    public String toString() {
        return uri;
    }
}
