package io.github.mcpauthz.core;

import java.util.Map;

import jakarta.ws.rs.core.Response;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker;
import org.keycloak.protocol.oidc.endpoints.AuthorizationEndpointChecker.AuthorizationCheckException;

/**
 * Runs an {@link McpChecks.AuthorizationCheck} as a Keycloak 26.7 authorization-endpoint check. Keycloak 26.7+ only:
 * loaded by the check providers alone, which older releases never load (their SPI does not exist there).
 */
public final class AuthorizationCheckAdapter {

    private AuthorizationCheckAdapter() {
    }

    /** Runs {@code check} on what {@code checker} parsed; a refusal is recorded on the endpoint's event and thrown. */
    public static void run(KeycloakSession session, AuthorizationEndpointChecker checker, McpChecks.AuthorizationCheck check)
            throws AuthorizationCheckException {
        if (!McpRealm.isEnabled(checker.getRealm())) {
            return;
        }
        var request = checker.getAuthorizationEndpointRequest();
        try {
            check.check(new McpChecks.AuthorizationRequest(session, checker.getRealm(), checker.getClient(),
                    request.getResource(), request.getScope(), request.getPrompt()));
        } catch (McpRejection e) {
            EventBuilder event = checker.getEventBuilder();
            if (e.user() != null) {
                event.user(e.user());
            }
            for (Map.Entry<String, String> detail : e.details().entrySet()) {
                event.detail(detail.getKey(), detail.getValue());
            }
            event.detail(Details.REASON, e.description()).error(e.eventError());
            throw new AuthorizationCheckException(Response.Status.BAD_REQUEST, e.error(), e.description());
        }
    }
}
