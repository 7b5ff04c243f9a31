package io.github.mcpauthz.audience;

import io.github.mcpauthz.registry.CanonicalResource;
import io.github.mcpauthz.registry.InvalidResourceException;
import io.github.mcpauthz.registry.McpServer;
import io.github.mcpauthz.registry.McpServerIndex;

/** Resolves a {@code resource} parameter to a registered MCP server, or says why it cannot. */
final class ResourceResolution {

    static final String INVALID_TARGET = "invalid_target";

    private ResourceResolution() {
    }

    /**
     * @return the registered server
     * @throws InvalidTargetException describing a malformed or unknown resource
     */
    static McpServer resolve(McpServerIndex index, String resource) throws InvalidTargetException {
        CanonicalResource canonical;
        try {
            canonical = CanonicalResource.parse(resource);
        } catch (InvalidResourceException e) {
            throw new InvalidTargetException("Invalid resource: " + e.getMessage());
        }
        return index.find(canonical).orElseThrow(() -> new InvalidTargetException(
                "Unknown resource: " + canonical.uri() + " is not an MCP server registered in this realm"));
    }

    /**
     * Why {@code resource} is refused for a grant that has no authorization request (device authorization, CIBA,
     * client credentials, password, ...): a token names an MCP server only when the user approved that server.
     */
    static String notSupportedFor(String grant) {
        return "The resource parameter is not supported for " + grant + " in this realm: only an authorization "
                + "request (response_type=code) can bind an MCP server, with the user's consent";
    }

    static final class InvalidTargetException extends Exception {
        InvalidTargetException(String description) {
            super(description, null, false, false);
        }
    }
}
