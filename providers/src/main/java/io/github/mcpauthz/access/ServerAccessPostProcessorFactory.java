package io.github.mcpauthz.access;

import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.token.TokenPostProcessor;
import org.keycloak.protocol.oidc.token.TokenPostProcessorFactory;

/**
 * Registers {@link ServerAccessPostProcessor}. Its order is below the audience processor's (Keycloak runs higher
 * orders first), so it sees the {@code aud} that processor bound.
 */
public class ServerAccessPostProcessorFactory implements TokenPostProcessorFactory {

    public static final String ID = "mcp-server-access";

    @Override
    public TokenPostProcessor create(KeycloakSession session) {
        return new ServerAccessPostProcessor(session);
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public int order() {
        return -10;
    }
}
