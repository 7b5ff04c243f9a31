package io.github.mcpauthz.core;

import java.util.List;

/**
 * An MCP server registered in a realm: the resource server a token may be issued for.
 *
 * @param id          id of the realm component that stores it
 * @param resource    canonical resource URI, exactly what the server publishes as {@code resource} in its RFC 9728 metadata
 * @param name        human name shown on consent screens
 * @param scopes      the OAuth scopes this server accepts (client scopes of the realm)
 * @param defaultForRealm whether tokens requested without {@code resource} are issued for this server
 */
public record McpServer(String id, CanonicalResource resource, String name, List<String> scopes, boolean defaultForRealm) {

    public McpServer {
        scopes = List.copyOf(scopes);
    }

    /** The audience value tokens for this server carry. */
    public String audience() {
        return resource.uri();
    }
}
