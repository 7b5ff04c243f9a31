package io.github.mcpauthz.audience;

import io.github.mcpauthz.core.KeycloakCompat;
import jakarta.ws.rs.core.Response;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.protocol.oidc.grants.ClientCredentialsGrantType;
import org.keycloak.protocol.oidc.grants.ClientCredentialsGrantTypeFactory;

/**
 * Keycloak's client_credentials grant, with a {@code resource} parameter refused as {@code invalid_target} in MCP
 * realms before the grant does anything. Same id as the built-in factory, which it replaces; everything else is
 * Keycloak's code.
 */
public class McpClientCredentialsGrantTypeFactory extends ClientCredentialsGrantTypeFactory {

    @Override
    public OAuth2GrantType create(KeycloakSession session) {
        if (!KeycloakCompat.supported()) {
            return super.create(session);
        }
        return new ClientCredentialsGrantType() {
            @Override
            public Response process(Context context) {
                TokenRequestResourceChecks.rejectResourceForUnboundGrant(context, "the client credentials grant");
                return super.process(context);
            }
        };
    }
}
