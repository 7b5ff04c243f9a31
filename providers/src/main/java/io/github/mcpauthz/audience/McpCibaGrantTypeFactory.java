package io.github.mcpauthz.audience;

import io.github.mcpauthz.core.KeycloakCompat;
import jakarta.ws.rs.core.Response;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.protocol.oidc.grants.ciba.CibaGrantType;
import org.keycloak.protocol.oidc.grants.ciba.CibaGrantTypeFactory;

/**
 * Keycloak's CIBA grant, with a {@code resource} parameter refused as {@code invalid_target} in MCP realms before
 * the grant does anything (the authentication request stays usable). Same id as the built-in factory, which it
 * replaces; everything else is Keycloak's code.
 */
public class McpCibaGrantTypeFactory extends CibaGrantTypeFactory {

    @Override
    public OAuth2GrantType create(KeycloakSession session) {
        if (!KeycloakCompat.supported()) {
            return super.create(session);
        }
        return new CibaGrantType() {
            @Override
            public Response process(Context context) {
                TokenRequestResourceChecks.rejectResourceForUnboundGrant(context, "client-initiated backchannel authentication");
                return super.process(context);
            }
        };
    }
}
