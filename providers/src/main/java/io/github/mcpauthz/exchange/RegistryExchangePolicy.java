package io.github.mcpauthz.exchange;

import org.keycloak.OAuthErrorException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.github.mcpauthz.core.CanonicalResource;
import io.github.mcpauthz.core.InvalidResourceException;
import io.github.mcpauthz.core.McpRejection;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.McpServerIndex;

/**
 * The registry's rules for exchanging (RFC 8693) a token issued for an MCP server. Pure: no Keycloak session.
 *
 * <ul>
 *   <li>the subject token names exactly one registered server in {@code aud}: the server it was issued for;</li>
 *   <li>only the client the registry links to that server may exchange it;</li>
 *   <li>the target ({@code audience} and/or {@code resource}, one distinct value) must be in the server's list of
 *       downstream audiences: another server's resource URI (any equivalent spelling) or a client id (exactly);</li>
 *   <li>the scope is at most what the subject token carries.</li>
 * </ul>
 */
final class RegistryExchangePolicy {


    /** Claim of the exchanged token that records who acted (RFC 8693 section 4.1). */
    static final String ACT = "act";

    private RegistryExchangePolicy() {
    }

    /** Where the exchanged token goes: a registered MCP server or a Keycloak client. */
    record Target(McpServer server, String clientId) {
        String audience() {
            return server != null ? server.audience() : clientId;
        }
    }

    /** The registered servers named in a token's {@code aud} (any spelling), in order, without repetitions. */
    static List<McpServer> serversIn(McpServerIndex index, String[] audience) {
        List<McpServer> out = new ArrayList<>();
        if (audience == null) {
            return out;
        }
        for (String value : audience) {
            find(index, value).filter(s -> !out.contains(s)).ifPresent(out::add);
        }
        return out;
    }

    /**
     * The server the subject token was issued for, after checking that {@code clientId} is its exchange client.
     *
     * @throws McpRejection {@code invalid_request} for a token of another server (or of several),
     *         {@code unauthorized_client} for a client the registry does not link to the server
     */
    static McpServer subjectServer(McpServerIndex index, String[] audience, String clientId, boolean publicClient)
            throws McpRejection {
        List<McpServer> servers = serversIn(index, audience);
        if (servers.size() != 1) {
            throw new McpRejection(OAuthErrorException.INVALID_REQUEST,
                    "The subject_token must be issued for exactly one MCP server; it names " + servers.size());
        }
        McpServer server = servers.get(0);
        if (clientId.equals(server.clientId())) {
            if (publicClient) {
                throw new McpRejection(OAuthErrorException.UNAUTHORIZED_CLIENT,
                        "Client " + clientId + " is a public client; only a confidential client can exchange tokens");
            }
            return server;
        }
        if (!index.servedBy(clientId).isEmpty()) {
            throw new McpRejection(OAuthErrorException.INVALID_REQUEST, "The subject_token was issued for MCP server "
                    + server.audience() + ", not for an MCP server client " + clientId + " acts for");
        }
        throw new McpRejection(OAuthErrorException.UNAUTHORIZED_CLIENT, "Client " + clientId
                + " is not the token exchange client of MCP server " + server.audience());
    }

    /**
     * The one target of the exchange, from every {@code audience} and {@code resource} value.
     *
     * @throws McpRejection {@code invalid_request} without a target, {@code invalid_target} for a target
     *         the server may not exchange for or for more than one target
     */
    static Target target(McpServerIndex index, McpServer server, List<String> audiences, List<String> resources)
            throws McpRejection {
        List<String> values = new ArrayList<>();
        if (audiences != null) {
            values.addAll(audiences);
        }
        if (resources != null) {
            values.addAll(resources);
        }
        if (values.isEmpty()) {
            throw new McpRejection(OAuthErrorException.INVALID_REQUEST, "The audience or resource parameter is required: "
                    + "the downstream API the token is for");
        }
        Set<Target> targets = new LinkedHashSet<>();
        for (String value : values) {
            targets.add(allowedTarget(index, server, value));
        }
        if (targets.size() > 1) {
            throw new McpRejection(OAuthErrorException.INVALID_TARGET,
                    "A token exchange names one downstream audience; this request names " + targets.size());
        }
        return targets.iterator().next();
    }

    private static Target allowedTarget(McpServerIndex index, McpServer server, String value) throws McpRejection {
        Optional<McpServer> registered = find(index, value);
        if (registered.isPresent()) {
            McpServer other = registered.get();
            for (String allowed : server.exchangeAudiences()) {
                if (find(index, allowed).filter(other::equals).isPresent()) {
                    return new Target(other, null);
                }
            }
            throw new McpRejection(OAuthErrorException.INVALID_TARGET, "MCP server " + server.audience()
                    + " may not exchange tokens for MCP server " + other.audience());
        }
        if (server.exchangeAudiences().contains(value)) {
            return new Target(null, value);
        }
        throw new McpRejection(OAuthErrorException.INVALID_TARGET, "'" + printable(value)
                + "' is not an audience MCP server " + server.audience() + " may exchange tokens for");
    }

    /**
     * The scope to request: {@code requested} when every value of it is in the subject token's scope, the subject
     * token's scope (limited to {@code available}, the scopes the exchanging client may have) when none is requested.
     *
     * @throws McpRejection {@code invalid_scope} for a scope the subject token does not carry
     */
    static String scope(String subjectScope, String requested, Set<String> available) throws McpRejection {
        Set<String> granted = split(subjectScope);
        if (requested == null) {
            List<String> kept = granted.stream().filter(s -> s.equals("openid") || available.contains(s)).toList();
            return String.join(" ", kept);
        }
        Set<String> extra = split(requested);
        extra.removeAll(granted);
        if (!extra.isEmpty()) {
            throw new McpRejection(OAuthErrorException.INVALID_SCOPE, "Scope " + printable(String.join(" ", extra))
                    + " was not granted to the subject_token (" + String.join(" ", granted) + ")");
        }
        return String.join(" ", split(requested));
    }

    /** The {@code act} claim: the server acted, on top of whoever acted before (a nested {@code act}). */
    static Map<String, Object> actor(McpServer server, String clientId, Object previousActor) {
        Map<String, Object> act = new LinkedHashMap<>();
        act.put("sub", server.audience());
        act.put("client_id", clientId);
        if (previousActor instanceof Map<?, ?>) {
            act.put(ACT, previousActor);
        }
        return act;
    }

    static Set<String> split(String scope) {
        Set<String> out = new LinkedHashSet<>();
        if (scope != null) {
            for (String s : scope.trim().split(" +")) {
                if (!s.isEmpty()) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    private static Optional<McpServer> find(McpServerIndex index, String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return index.find(CanonicalResource.parse(value));
        } catch (InvalidResourceException e) {
            return Optional.empty();
        }
    }

    /** A hostile value echoed in a description: control and format characters replaced, at most 200 characters. */
    static String printable(String value) {
        String clean = value.replaceAll("[\\p{Cc}\\p{Cf}]", "?");
        return clean.length() > 200 ? clean.substring(0, 200) + "…" : clean;
    }
}
