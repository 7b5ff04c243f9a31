package io.github.mcpauthz.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Immutable lookup table of one realm's MCP servers, keyed by canonical resource.
 * Lookups are hash-map reads: the cost does not grow with the number of servers.
 */
public final class McpServerIndex {

    public static final McpServerIndex EMPTY = new McpServerIndex(List.of());

    private final Map<String, McpServer> byResource = new HashMap<>();
    private final Map<String, List<McpServer>> byScope = new HashMap<>();
    private final Map<String, List<McpServer>> byClientId = new HashMap<>();
    private final Map<String, List<McpServer>> byMachineClient = new HashMap<>();
    /** The servers with an access rule or roles in their tokens, by resource: what token issuance looks up. */
    private final Map<String, McpServer> governed = new HashMap<>();
    private final McpServer defaultServer;
    private final List<String> scopeNames;

    public McpServerIndex(Collection<McpServer> servers) {
        McpServer def = null;
        for (McpServer server : servers) {
            // First registration wins if two components collide; validation prevents that for admin edits.
            byResource.putIfAbsent(server.resource().matchKey(), server);
            for (String scope : server.scopes()) {
                byScope.computeIfAbsent(scope, k -> new ArrayList<>(1)).add(server);
            }
            if (server.clientId() != null) {
                byClientId.computeIfAbsent(server.clientId(), k -> new ArrayList<>(1)).add(server);
            }
            for (String machineClient : server.machineClients()) {
                byMachineClient.computeIfAbsent(machineClient, k -> new ArrayList<>(1)).add(server);
            }
            if (server.access().governsTokens()) {
                governed.putIfAbsent(server.resource().matchKey(), server);
            }
            if (server.defaultForRealm() && def == null) {
                def = server;
            }
        }
        this.defaultServer = def;
        // Read-only from here on: callers get the lists themselves, not copies.
        byScope.replaceAll((scope, list) -> List.copyOf(list));
        byClientId.replaceAll((clientId, list) -> List.copyOf(list));
        byMachineClient.replaceAll((clientId, list) -> List.copyOf(list));
        this.scopeNames = List.copyOf(new TreeSet<>(byScope.keySet()));
    }

    public Optional<McpServer> find(CanonicalResource resource) {
        return Optional.ofNullable(byResource.get(resource.matchKey()));
    }

    /** The server tokens are issued for when a request names no resource, if the admin chose one. */
    public Optional<McpServer> defaultServer() {
        return Optional.ofNullable(defaultServer);
    }

    /** True when {@code audience} is the canonical URI (any spelling) of a registered server. */
    public boolean isServerAudience(String audience) {
        try {
            return byResource.containsKey(CanonicalResource.parse(audience).matchKey());
        } catch (InvalidResourceException e) {
            return false;
        }
    }

    /** True when {@code scope} is a scope of a registered server. */
    public boolean isServerScope(String scope) {
        return byScope.containsKey(scope);
    }

    /** The names of all registered servers' scopes, sorted, each once (built with the index). */
    public List<String> scopeNames() {
        return scopeNames;
    }

    /** The registered servers that accept {@code scope} (usually one; several servers may share a scope name). */
    public List<McpServer> serversWithScope(String scope) {
        return byScope.getOrDefault(scope, List.of());
    }

    /** The servers whose registry entry names {@code clientId} as the client they exchange tokens with. */
    public List<McpServer> servedBy(String clientId) {
        return clientId == null ? List.of() : byClientId.getOrDefault(clientId, List.of());
    }

    /** The servers whose registry entry lists {@code clientId} as a machine client (client credentials grant). */
    public List<McpServer> machineServers(String clientId) {
        return clientId == null ? List.of() : byMachineClient.getOrDefault(clientId, List.of());
    }

    /**
     * The registered server {@code audience} names (any spelling) when that server has an access rule or puts roles in
     * its tokens; empty otherwise, at once when no server of the realm has such settings.
     */
    public Optional<McpServer> governedServer(String audience) {
        if (governed.isEmpty() || audience == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(governed.get(CanonicalResource.parse(audience).matchKey()));
        } catch (InvalidResourceException e) {
            return Optional.empty();
        }
    }

    public int size() {
        return byResource.size();
    }
}
