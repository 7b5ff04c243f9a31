package io.github.mcpauthz.idjag;

import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.grants.JWTAuthorizationGrantTypeFactory;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;

/**
 * Keycloak's JWT authorization grant with the MCP ID-JAG profile ({@link IdJagGrantType}). Same id as the built-in
 * factory, which it replaces; available when Keycloak's {@code jwt-authorization-grant} feature is (on by default).
 */
public class IdJagGrantTypeFactory extends JWTAuthorizationGrantTypeFactory {

    @Override
    public OAuth2GrantType create(KeycloakSession session) {
        return new IdJagGrantType();
    }
}
