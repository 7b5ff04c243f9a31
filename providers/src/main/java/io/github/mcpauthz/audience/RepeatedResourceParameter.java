package io.github.mcpauthz.audience;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.github.mcpauthz.realm.McpRealm;
import jakarta.ws.rs.core.Response;
import org.keycloak.OAuth2Constants;
import org.keycloak.events.Details;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.services.CorsErrorResponseException;

/** Token-endpoint handling of a repeated {@code resource}: {@code invalid_target} in MCP realms (one resource per token). */
final class RepeatedResourceParameter {

    private RepeatedResourceParameter() {
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
            context.getEvent().detail(Details.REASON, description).error(ResourceResolution.INVALID_TARGET);
            throw new CorsErrorResponseException(context.getCors(), ResourceResolution.INVALID_TARGET, description,
                    Response.Status.BAD_REQUEST);
        }
    }
}
