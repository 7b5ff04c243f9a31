package io.github.mcpauthz.audience;

import io.github.mcpauthz.core.ResourceBinding;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.McpServerRegistry;
import io.github.mcpauthz.core.client.DynamicClients;
import org.keycloak.models.ClientModel;
import jakarta.ws.rs.core.Response;
import org.keycloak.OAuth2Constants;
import org.keycloak.events.Details;
import org.keycloak.jose.jws.JWSInput;
import org.keycloak.jose.jws.JWSInputException;
import org.keycloak.representations.RefreshToken;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.services.CorsErrorResponseException;

/**
 * Token-endpoint checks of {@code resource} that must happen before Keycloak consumes anything: a repeated
 * {@code resource} (one resource per token), a {@code resource} on a grant that cannot bind one, and on refresh a resource other than the one the refresh token was
 * issued for (checked before Keycloak rotates the refresh token, so a wrong request does not burn it).
 */
final class TokenRequestResourceChecks {

    private TokenRequestResourceChecks() {
    }

    /** Lets a repeated {@code resource} past Keycloak's generic duplicate check so it can be answered precisely. */
    static Set<String> allowRepeated(KeycloakSession session, Set<String> supported) {
        if (!McpRealm.isEnabled(session.getContext().getRealm())) {
            return supported;
        }
        Set<String> out = new HashSet<>(supported);
        out.add(OAuth2Constants.RESOURCE);
        return out;
    }

    /** Rejects a repeated {@code resource} before the grant has any effect (the code stays unused). */
    static void rejectRepeated(OAuth2GrantType.Context context) {
        if (!McpRealm.isEnabled(context.getRealm())) {
            return;
        }
        List<String> values = context.getFormParams().get(OAuth2Constants.RESOURCE);
        if (values != null && values.size() > 1) {
            String description = "Invalid resource: the resource parameter must be sent at most once";
            context.getEvent().detail(Details.REASON, description).error(ResourceBinding.INVALID_TARGET);
            throw new CorsErrorResponseException(context.getCors(), ResourceBinding.INVALID_TARGET, description,
                    Response.Status.BAD_REQUEST);
        }
    }

    /**
     * Rejects {@code resource} on a grant that had no authorization request to bind it (device code, CIBA, password), before the grant consumes anything (a device code or CIBA request stays usable).
     * {@link ResourceAudiencePostProcessor} refuses it for any other such grant.
     */
    static void rejectResourceForUnboundGrant(OAuth2GrantType.Context context, String grant) {
        if (!McpRealm.isEnabled(context.getRealm())) {
            return;
        }
        List<String> values = context.getFormParams().get(OAuth2Constants.RESOURCE);
        if (values != null && !values.isEmpty()) {
            String description = ResourceBinding.notSupportedFor(grant);
            context.getEvent().detail(Details.REASON, description).error(ResourceBinding.INVALID_TARGET);
            throw new CorsErrorResponseException(context.getCors(), ResourceBinding.INVALID_TARGET, description,
                    Response.Status.BAD_REQUEST);
        }
    }

    /**
     * The server a client credentials request with {@code resource} is for ({@link ResourceBinding#forMachineClient});
     * refuses the request with {@code invalid_target} otherwise. Call only for an authenticated client that Keycloak
     * lets use the grant (confidential, service accounts on).
     */
    static McpServer machineServer(OAuth2GrantType.Context context, String requested) {
        ClientModel client = context.getClient();
        try {
            return ResourceBinding.forMachineClient(McpServerRegistry.index(context.getRealm()), client.getClientId(),
                    DynamicClients.isDynamic(client), requested);
        } catch (ResourceBinding.InvalidTargetException e) {
            context.getEvent().detail(Details.REASON, e.getMessage()).error(ResourceBinding.INVALID_TARGET);
            throw new CorsErrorResponseException(context.getCors(), ResourceBinding.INVALID_TARGET, e.getMessage(),
                    Response.Status.BAD_REQUEST);
        }
    }

    /**
     * On refresh, rejects a {@code resource} that does not resolve to the server the refresh token is bound to.
     * Reads the refresh token's claims without verifying it: this can only refuse a request, never grant one, and
     * Keycloak verifies the token right after.
     */
    static void rejectRefreshForOtherResource(OAuth2GrantType.Context context) {
        if (!McpRealm.isEnabled(context.getRealm())) {
            return;
        }
        String requested = context.getFormParams().getFirst(OAuth2Constants.RESOURCE);
        String encoded = context.getFormParams().getFirst(OAuth2Constants.REFRESH_TOKEN);
        if (requested == null || encoded == null) {
            return;
        }
        Object bound;
        try {
            bound = new JWSInput(encoded).readJsonContent(RefreshToken.class).getOtherClaims().get(OAuth2Constants.RESOURCE);
        } catch (JWSInputException | RuntimeException e) {
            return; // Not a readable token: Keycloak answers invalid_grant.
        }
        String description;
        try {
            ResourceBinding.boundServer(McpServerRegistry.index(context.getRealm()), ResourceBinding.Grant.REFRESH,
                    bound instanceof String b ? b : null, requested);
            return;
        } catch (ResourceBinding.InvalidTargetException e) {
            description = e.getMessage();
        }
        context.getEvent().detail(Details.REASON, description).error(ResourceBinding.INVALID_TARGET);
        throw new CorsErrorResponseException(context.getCors(), ResourceBinding.INVALID_TARGET, description,
                Response.Status.BAD_REQUEST);
    }
}
