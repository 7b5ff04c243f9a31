package io.github.mcpauthz.demo;

/** {@code WWW-Authenticate} values of the demo server (RFC 6750 section 3, RFC 9728 section 5.1). */
final class Challenges {

    private Challenges() {
    }

    /** No token at all: where the metadata is, and the scope to start with. No error code (RFC 6750 3.1). */
    static String missingToken(String resourceMetadata) {
        return "Bearer resource_metadata=" + quote(resourceMetadata) + ", scope=" + quote(Scopes.TOOLS);
    }

    static String invalidToken(String resourceMetadata, String description) {
        return "Bearer error=\"invalid_token\", error_description=" + quote(description)
                + ", resource_metadata=" + quote(resourceMetadata);
    }

    static String insufficientScope(String resourceMetadata, String scope, String description) {
        return "Bearer error=\"insufficient_scope\", scope=" + quote(scope)
                + ", resource_metadata=" + quote(resourceMetadata) + ", error_description=" + quote(description);
    }

    /**
     * A quoted-string: only printable ASCII without {@code "} and {@code \} (RFC 6750 limits error_description to
     * %x20-21 / %x23-5B / %x5D-7E); anything else becomes {@code ?}, and long texts are cut.
     */
    static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        int max = Math.min(value.length(), 300);
        for (int i = 0; i < max; i++) {
            char c = value.charAt(i);
            out.append(c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' ? c : '?');
        }
        return out.append('"').toString();
    }
}
