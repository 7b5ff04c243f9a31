package io.github.mcpauthz.audience;

import io.github.mcpauthz.core.KeycloakCompat;
import java.util.Set;

import jakarta.ws.rs.core.Response;
import org.keycloak.protocol.oidc.TokenManager;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.protocol.oidc.grants.RefreshTokenGrantType;
import org.keycloak.protocol.oidc.grants.RefreshTokenGrantTypeFactory;

/**
 * Keycloak's refresh_token grant, with a repeated {@code resource} answered as {@code invalid_target}
 * in MCP realms. Same id as the built-in factory, which it replaces; everything else is Keycloak's code.
 */
public class McpRefreshTokenGrantTypeFactory extends RefreshTokenGrantTypeFactory {

    @Override
    public OAuth2GrantType create(KeycloakSession keycloakSession) {
        if (!KeycloakCompat.supported()) {
            return super.create(keycloakSession);
        }
        // The grant's own 'session' field is only set in process(); use the factory's session here.
        return new RefreshTokenGrantType() {
            @Override
            public Set<String> getSupportedMultivaluedRequestParameters() {
                return TokenRequestResourceChecks.allowRepeated(keycloakSession, super.getSupportedMultivaluedRequestParameters());
            }

            /** Before 26.6: binds the tokens here (see LegacyTokenBinding); a no-op where post-processors run. */
            @Override
            protected void checkAndBindMtlsHoKToken(TokenManager.AccessTokenResponseBuilder responseBuilder, boolean useRefreshToken) {
                super.checkAndBindMtlsHoKToken(responseBuilder, useRefreshToken);
                LegacyTokenBinding.bind(session, realm, client, context.getGrantType(), formParams, null, responseBuilder, event, cors);
            }

            @Override
            public Response process(Context context) {
                TokenRequestResourceChecks.rejectRepeated(context);
                TokenRequestResourceChecks.rejectRefreshForOtherResource(context);
                return super.process(context);
            }
        };
    }
}
