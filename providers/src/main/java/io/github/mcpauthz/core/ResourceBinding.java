package io.github.mcpauthz.core;

import org.keycloak.OAuthErrorException;

/**
 * The one rule that binds a token to an MCP server, with its error texts. An authorization request may name a
 * registered server ({@link #forAuthorization}); the code, and the refresh tokens that follow, are then bound to it,
 * and a token request may repeat that server but never name another ({@link #boundServer}). A client credentials
 * request names the server an admin allowed the machine client ({@link #forMachineClient}). Other grants without an
 * authorization request bind no server ({@link #notSupportedFor}). Every refusal is {@value #INVALID_TARGET}.
 */
public final class ResourceBinding {

    public static final String INVALID_TARGET = OAuthErrorException.INVALID_TARGET;

    /** The grant a token request continues: an authorization code, or a refresh token. */
    public enum Grant { CODE, REFRESH }

    private ResourceBinding() {
    }

    /**
     * @return the registered server named by {@code resource}
     * @throws InvalidTargetException describing a malformed or unknown resource
     */
    public static McpServer resolve(McpServerIndex index, String resource) throws InvalidTargetException {
        CanonicalResource canonical;
        try {
            canonical = CanonicalResource.parse(resource);
        } catch (InvalidResourceException e) {
            throw new InvalidTargetException("Invalid resource: " + e.getMessage());
        }
        return index.find(canonical).orElseThrow(() -> new InvalidTargetException(
                "Unknown resource: " + canonical.uri() + " is not an MCP server registered in this realm"));
    }

    /** The server of an authorization request: the one it names, else the realm's default server, else none (null). */
    public static McpServer forAuthorization(McpServerIndex index, String resource) throws InvalidTargetException {
        return resource == null ? index.defaultServer().orElse(null) : resolve(index, resource);
    }

    /**
     * The server a token request is for.
     *
     * @param bound     the resource the code or refresh token was bound to (null: none)
     * @param requested the token request's own {@code resource} (null: none)
     * @return the bound server; for a code bound to nothing, the realm's default server (or null)
     * @throws InvalidTargetException when the request names another server, adds a server the grant was not bound
     *                                to, or when the bound server is no longer registered
     */
    public static McpServer boundServer(McpServerIndex index, Grant grant, String bound, String requested)
            throws InvalidTargetException {
        if (bound == null) {
            if (requested != null) {
                throw new InvalidTargetException(grant == Grant.REFRESH
                        ? "The refresh token was not issued for a resource; it cannot be used for " + requested
                        : "The authorization request named no resource; the token request cannot add one");
            }
            // A refresh of a default-server token carries the bound claim, so only a code gets the default here.
            return grant == Grant.CODE ? index.defaultServer().orElse(null) : null;
        }
        McpServer boundServer;
        try {
            boundServer = resolve(index, bound);
        } catch (InvalidTargetException e) {
            throw new InvalidTargetException("The resource this grant was issued for is no longer available: " + e.getMessage());
        }
        if (requested != null) {
            McpServer requestedServer = resolve(index, requested);
            if (!requestedServer.resource().equals(boundServer.resource())) {
                throw new InvalidTargetException("resource " + requestedServer.audience()
                        + " does not match the resource this grant was issued for");
            }
        }
        return boundServer;
    }

    /**
     * The server a client credentials request ({@code grant_type=client_credentials} with {@code resource}) is for: a
     * machine client gets tokens only for the servers whose registry entry lists it, and never when it registered
     * itself (DCR or a client ID metadata document). One hash lookup, no scan.
     *
     * @param clientId  the authenticated, confidential client
     * @param dynamic   whether the client registered itself
     * @param requested the request's {@code resource}
     * @throws InvalidTargetException for a malformed or unknown resource, a dynamic client, or a server that does not
     *                                list the client
     */
    public static McpServer forMachineClient(McpServerIndex index, String clientId, boolean dynamic, String requested)
            throws InvalidTargetException {
        McpServer server = resolve(index, requested);
        if (dynamic) {
            throw new InvalidTargetException("Client " + clientId + " registered itself; only a client an admin "
                    + "created can get tokens for an MCP server with the client credentials grant");
        }
        if (!index.machineServers(clientId).contains(server)) {
            throw new InvalidTargetException("Client " + clientId + " may not get tokens for MCP server "
                    + server.audience() + " with the client credentials grant: it is not one of the server's machine clients");
        }
        return server;
    }

    /**
     * Why {@code resource} is refused for a grant that has no authorization request (device authorization, CIBA,
     * client credentials, password, ...): a token names an MCP server only when the user approved that server.
     */
    public static String notSupportedFor(String grant) {
        return "The resource parameter is not supported for " + grant + " in this realm: only an authorization "
                + "request (response_type=code) can bind an MCP server, with the user's consent";
    }

    /** A refused {@code resource}; the message is the {@code error_description}. */
    public static final class InvalidTargetException extends Exception {
        public InvalidTargetException(String description) {
            super(description, null, false, false);
        }
    }
}
