package io.github.mcpauthz.audience;

import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.token.TokenPostProcessor;
import org.keycloak.protocol.oidc.token.TokenPostProcessorFactory;

/**
 * Registers {@link ResourceAudiencePostProcessor} under Keycloak's own id {@value #ID}: a custom factory wins
 * over a built-in one with the same id and order, so when Keycloak's experimental {@code resource-indicators}
 * feature is on this processor replaces Keycloak's instead of running next to it (Keycloak's would reject the
 * audience this one sets). Realms without MCP support are handed to Keycloak's implementation.
 */
public class ResourceAudiencePostProcessorFactory implements TokenPostProcessorFactory {

    public static final String ID = "resource-indicators";

    @Override
    public TokenPostProcessor create(KeycloakSession session) {
        return new ResourceAudiencePostProcessor(session);
    }

    @Override
    public String getId() {
        return ID;
    }
}
