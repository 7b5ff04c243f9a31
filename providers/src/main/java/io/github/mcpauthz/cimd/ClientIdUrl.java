package io.github.mcpauthz.cimd;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A {@code client_id} that is a client ID metadata document URL (draft-ietf-oauth-client-id-metadata-document §3):
 * https (http only when an admin allows it for development), a host, a path other than "/", no dot segments, no
 * fragment, no user info, and (stricter than the draft's SHOULD NOT) no query. Also refused: characters outside
 * printable ASCII (RFC 3986 URIs are ASCII), a path with other characters than unreserved ones and {@code /} (so the
 * request line sent is byte for byte the client_id's path, and the client_id survives Keycloak's login pages, which
 * put it into query strings and decode percent-encoding once), and a host ending in a dot ({@code host.}, the
 * absolute form of {@code host}, which would otherwise pass domain lists written for {@code host}).
 */
public record ClientIdUrl(URI uri, String host, int port) {

    public static final int MAX_LENGTH = 2000;

    /** Whether a client_id looks like a URL at all, so that it is handled as a metadata document. */
    public static boolean looksLikeUrl(String clientId) {
        if (clientId == null) {
            return false;
        }
        String lower = clientId.toLowerCase(Locale.ROOT);
        return lower.startsWith("https://") || lower.startsWith("http://");
    }

    public static ClientIdUrl parse(String clientId, boolean allowHttp) throws InvalidClientIdException {
        if (clientId.length() > MAX_LENGTH) {
            throw new InvalidClientIdException("client_id URL is longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < clientId.length(); i++) {
            char c = clientId.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new InvalidClientIdException("client_id URL must be ASCII, without spaces or control characters");
            }
        }
        URI uri;
        try {
            uri = new URI(clientId);
        } catch (URISyntaxException e) {
            throw new InvalidClientIdException("client_id is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        if (!scheme.equals("https") && !(allowHttp && scheme.equals("http"))) {
            throw new InvalidClientIdException(allowHttp ? "client_id URL must use https or http"
                    : "client_id URL must use https");
        }
        if (uri.getRawUserInfo() != null) {
            throw new InvalidClientIdException("client_id URL must not contain user information");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new InvalidClientIdException("client_id URL must name a host");
        }
        if (uri.getHost().endsWith(".")) {
            throw new InvalidClientIdException("client_id URL host must not end with a dot");
        }
        if (uri.getRawFragment() != null || clientId.indexOf('#') >= 0) {
            throw new InvalidClientIdException("client_id URL must not contain a fragment");
        }
        if (uri.getRawQuery() != null || clientId.indexOf('?') >= 0) {
            throw new InvalidClientIdException("client_id URL must not contain a query");
        }
        String path = uri.getRawPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            throw new InvalidClientIdException("client_id URL must contain a path");
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..") || segment.equalsIgnoreCase("%2e")
                    || segment.equalsIgnoreCase("%2e%2e") || segment.equalsIgnoreCase(".%2e") || segment.equalsIgnoreCase("%2e.")) {
                throw new InvalidClientIdException("client_id URL must not contain dot segments");
            }
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~/".indexOf(c) >= 0)) {
                throw new InvalidClientIdException("client_id URL path may only contain letters, digits and - . _ ~ / "
                        + "(no percent-encoding)");
            }
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            throw new InvalidClientIdException("client_id URL has an invalid port");
        }
        int port = uri.getPort() != -1 ? uri.getPort() : (scheme.equals("https") ? 443 : 80);
        return new ClientIdUrl(uri, uri.getHost().toLowerCase(Locale.ROOT), port);
    }

    /** The problem with a client_id URL; the message is safe to show. */
    public static class InvalidClientIdException extends Exception {
        public InvalidClientIdException(String message) {
            super(message, null, false, false);
        }
    }
}
