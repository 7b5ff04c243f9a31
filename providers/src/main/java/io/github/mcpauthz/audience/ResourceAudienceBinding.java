package io.github.mcpauthz.audience;

import java.util.Arrays;

import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.McpServerIndex;
import io.github.mcpauthz.core.ResourceBinding;
import io.github.mcpauthz.core.ResourceBinding.InvalidTargetException;
import io.github.mcpauthz.core.client.DynamicClients;
import org.keycloak.OAuth2Constants;
import org.keycloak.models.ClientModel;
import org.keycloak.representations.AccessToken;
import org.keycloak.representations.RefreshToken;

/**
 * The token side of the resource binding, on every supported Keycloak: which server a token is for, and how the token
 * says it. Keycloak 26.6+ runs it from {@link ResourceAudiencePostProcessor}; older releases from the extension's
 * grant types ({@link LegacyTokenBinding}). See {@link ResourceAudiencePostProcessor} for the rules.
 */
final class ResourceAudienceBinding {

    /** Claim of the refresh token that carries the bound resource (same name Keycloak's processor uses). */
    static final String RESOURCE_CLAIM = OAuth2Constants.RESOURCE;

    /** Where the bound resource of a token request comes from. */
    enum Source {
        /** The authorization code (its request's {@code resource}). */
        CODE,
        /** The request's refresh token ({@value #RESOURCE_CLAIM} claim). */
        REFRESH,
        /** A grant that checked a registered server itself (ID-JAG: the assertion's resource). */
        GRANT,
        /** No authorization request bound one: device code, CIBA, password, client credentials, ... */
        NONE
    }

    private ResourceAudienceBinding() {
    }

    /** The server the token is for, or null for none; refuses a {@code resource} the grant cannot honour. */
    static McpServer select(McpServerIndex index, ClientModel client, String grantType, Source source, String bound,
                            String requested) throws InvalidTargetException {
        // Comparisons, not a switch: a switch over another class's enum costs a synthetic class in the jar.
        if (source == Source.CODE || source == Source.GRANT) {
            return ResourceBinding.boundServer(index, ResourceBinding.Grant.CODE, bound, requested);
        }
        if (source == Source.REFRESH) {
            return ResourceBinding.boundServer(index, ResourceBinding.Grant.REFRESH, bound, requested);
        }
        if (OAuth2Constants.CLIENT_CREDENTIALS.equals(grantType) && requested != null) {
            // A machine client: the server an admin allowed it (checked before the grant ran, and again here).
            return ResourceBinding.forMachineClient(index, client.getClientId(), DynamicClients.isDynamic(client), requested);
        }
        // Device code, CIBA, password, client credentials without resource, ...: no authorization request bound a
        // server and the user approved none, so the token names no MCP server (not even the default one).
        if (requested != null) {
            throw new InvalidTargetException(ResourceBinding.notSupportedFor(
                    grantType == null ? "this grant" : "grant_type " + grantType));
        }
        return null;
    }

    /**
     * Writes the binding into the tokens: {@code aud} is exactly the server; without one, no registered server stays
     * in {@code aud}. The new refresh token (when there is one) keeps the server for the next refresh.
     */
    static void apply(McpServerIndex index, McpServer target, AccessToken accessToken, RefreshToken refreshToken) {
        if (target == null) {
            String[] aud = accessToken.getAudience();
            if (aud != null) {
                String[] kept = Arrays.stream(aud).filter(a -> !index.isServerAudience(a)).toArray(String[]::new);
                accessToken.audience(kept.length == 0 ? null : kept);
            }
            return;
        }
        accessToken.audience(target.audience());
        if (refreshToken != null) {
            refreshToken.getOtherClaims().put(RESOURCE_CLAIM, target.audience());
        }
    }
}
