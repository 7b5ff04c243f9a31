package io.github.mcpauthz.audience;

import io.github.mcpauthz.core.KeycloakCompat;
import jakarta.ws.rs.core.Response;
import org.keycloak.protocol.oidc.TokenManager;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.protocol.oidc.grants.OAuth2GrantTypeFactory;
import org.keycloak.protocol.oidc.grants.ResourceOwnerPasswordCredentialsGrantType;
import org.keycloak.protocol.oidc.grants.ResourceOwnerPasswordCredentialsGrantTypeFactory;

/**
 * The factory (service loader) and the grant ({@link #create}) in one class: Keycloak's password grant, with a {@code resource} parameter refused as {@code invalid_target} in MCP realms
 * before the grant does anything (no user session is created). Same id as the built-in factory, which it replaces;
 * everything else is Keycloak's code.
 */
public class McpPasswordGrantTypeFactory extends ResourceOwnerPasswordCredentialsGrantType implements OAuth2GrantTypeFactory {

    /** Keycloak's own factory: id, shortcut stay Keycloak's; its grant where the jar is inactive. */
    private static final ResourceOwnerPasswordCredentialsGrantTypeFactory KEYCLOAK = new ResourceOwnerPasswordCredentialsGrantTypeFactory();

    @Override
    public OAuth2GrantType create(KeycloakSession session) {
        if (!KeycloakCompat.supported()) {
            return KEYCLOAK.create(session);
        }
        return new McpPasswordGrantTypeFactory();
    }

    @Override
    public String getId() {
        return KEYCLOAK.getId();
    }

    @Override
    public String getShortcut() {
        return KEYCLOAK.getShortcut();
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    /** Before 26.6: binds the tokens here (see LegacyTokenBinding); a no-op where post-processors run. */
    @Override
    protected void checkAndBindMtlsHoKToken(TokenManager.AccessTokenResponseBuilder responseBuilder, boolean useRefreshToken) {
        super.checkAndBindMtlsHoKToken(responseBuilder, useRefreshToken);
        LegacyTokenBinding.bind(session, realm, client, context.getGrantType(), formParams, null, responseBuilder, event, cors);
    }

    @Override
    public Response process(Context context) {
        TokenRequestResourceChecks.rejectResourceForUnboundGrant(context, "the resource owner password credentials grant");
        return super.process(context);
    }
}
