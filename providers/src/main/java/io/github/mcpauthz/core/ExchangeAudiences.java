package io.github.mcpauthz.core;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.ws.rs.core.MultivaluedMap;
import org.keycloak.OAuth2Constants;
import org.keycloak.representations.AccessToken;

/**
 * Token exchange (RFC 8693) binds no server and asks no consent per server: a registered MCP server that a mapper put
 * in the exchanged token's {@code aud} stays only when the exchange asked for exactly that server ({@code resource} or
 * {@code audience}); nothing is added. Keycloak 26.6+ applies it from the audience post-processor, older releases from
 * the extension's token exchange provider.
 */
public final class ExchangeAudiences {

    private ExchangeAudiences() {
    }

    /** Removes from {@code accessToken}'s {@code aud} every registered server the exchange form did not ask for. */
    public static void keepRequestedServers(AccessToken accessToken, McpServerIndex index, MultivaluedMap<String, String> form) {
        String[] aud = accessToken.getAudience();
        if (aud == null) {
            return;
        }
        Set<CanonicalResource> requested = new HashSet<>();
        for (String name : List.of(OAuth2Constants.RESOURCE, OAuth2Constants.AUDIENCE)) {
            List<String> values = form == null ? null : form.get(name);
            if (values != null) {
                for (String value : values) {
                    serverOf(index, value).ifPresent(server -> requested.add(server.resource()));
                }
            }
        }
        String[] kept = Arrays.stream(aud)
                .filter(a -> !index.isServerAudience(a)
                        || serverOf(index, a).map(server -> requested.contains(server.resource())).orElse(false))
                .toArray(String[]::new);
        accessToken.audience(kept.length == 0 ? null : kept);
    }

    private static Optional<McpServer> serverOf(McpServerIndex index, String value) {
        try {
            return Optional.of(ResourceBinding.resolve(index, value));
        } catch (ResourceBinding.InvalidTargetException e) {
            return Optional.empty();
        }
    }
}
