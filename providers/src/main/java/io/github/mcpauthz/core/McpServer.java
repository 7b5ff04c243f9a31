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
 * @param clientId    client id of the Keycloak client the server authenticates as for token exchange, or null
 * @param exchangeAudiences downstream audiences the server may exchange its tokens for: registered servers' resource
 *                    URIs or Keycloak client ids (empty: none)
 * @param machineClients client ids of the confidential Keycloak clients an admin allows to get tokens for this server
 *                    with the client credentials grant (empty: none)
 * @param access      who may get tokens for the server and which roles they carry ({@link ServerAccess#OPEN}: everyone, none)
 */
public record McpServer(String id, CanonicalResource resource, String name, List<String> scopes, boolean defaultForRealm,
                        String clientId, List<String> exchangeAudiences, List<String> machineClients, ServerAccess access) {

    public McpServer {
        scopes = List.copyOf(scopes);
        exchangeAudiences = exchangeAudiences == null ? List.of() : List.copyOf(exchangeAudiences);
        machineClients = machineClients == null ? List.of() : List.copyOf(machineClients);
        access = access == null ? ServerAccess.OPEN : access;
    }

    /** A server without machine clients, open to every user, without roles in its tokens. */
    public McpServer(String id, CanonicalResource resource, String name, List<String> scopes, boolean defaultForRealm,
                     String clientId, List<String> exchangeAudiences) {
        this(id, resource, name, scopes, defaultForRealm, clientId, exchangeAudiences, List.of(), ServerAccess.OPEN);
    }

    /** A server open to every user, without roles in its tokens. */
    public McpServer(String id, CanonicalResource resource, String name, List<String> scopes, boolean defaultForRealm,
                     String clientId, List<String> exchangeAudiences, List<String> machineClients) {
        this(id, resource, name, scopes, defaultForRealm, clientId, exchangeAudiences, machineClients, ServerAccess.OPEN);
    }

    /** A server without machine clients. */
    public McpServer(String id, CanonicalResource resource, String name, List<String> scopes, boolean defaultForRealm,
                     String clientId, List<String> exchangeAudiences, ServerAccess access) {
        this(id, resource, name, scopes, defaultForRealm, clientId, exchangeAudiences, List.of(), access);
    }

    /** A server without token exchange. */
    public McpServer(String id, CanonicalResource resource, String name, List<String> scopes, boolean defaultForRealm) {
        this(id, resource, name, scopes, defaultForRealm, null, List.of());
    }

    /** The Keycloak client whose client roles are this server's roles: the roles client, else the exchange client. */
    public String rolesClientId() {
        return access.rolesClientId() != null ? access.rolesClientId() : clientId;
    }

    /** The audience value tokens for this server carry. */
    public String audience() {
        return resource.uri();
    }
}
