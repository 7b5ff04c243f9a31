package io.github.mcpauthz.audience;

import io.github.mcpauthz.core.KeycloakCompat;
import jakarta.ws.rs.core.Response;
import org.keycloak.protocol.oidc.TokenManager;
import java.util.function.Function;

import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.services.clientpolicy.ClientPolicyContext;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.protocol.oidc.grants.OAuth2GrantTypeFactory;
import org.keycloak.provider.EnvironmentDependentProviderFactory;
import org.keycloak.protocol.oidc.grants.device.DeviceGrantType;
import org.keycloak.protocol.oidc.grants.device.DeviceGrantTypeFactory;

/**
 * The factory (service loader) and the grant ({@link #create}) in one class: Keycloak's device_code grant, with a {@code resource} parameter refused as {@code invalid_target} in MCP realms
 * before the grant does anything (the device code stays usable). Same id as the built-in factory, which it
 * replaces; everything else is Keycloak's code.
 */
public class McpDeviceGrantTypeFactory extends DeviceGrantType implements OAuth2GrantTypeFactory, EnvironmentDependentProviderFactory {

    /** Keycloak's own factory: id, shortcut, feature check stay Keycloak's; its grant where the jar is inactive. */
    private static final DeviceGrantTypeFactory KEYCLOAK = new DeviceGrantTypeFactory();

    @Override
    public OAuth2GrantType create(KeycloakSession session) {
        if (!KeycloakCompat.supported()) {
            return KEYCLOAK.create(session);
        }
        return new McpDeviceGrantTypeFactory();
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
    public boolean isSupported(Config.Scope config) {
        return KEYCLOAK.isSupported(config);
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    /** The client session of this code's login, for {@link LegacyTokenBinding}. */
    private ClientSessionContext mcpClientSessionCtx;

    @Override
    protected Response createTokenResponse(UserModel user, UserSessionModel userSession, ClientSessionContext clientSessionCtx,
                                           String scopeParam, boolean code,
                                           Function<TokenManager.AccessTokenResponseBuilder, ClientPolicyContext> clientPolicyContextGenerator) {
        mcpClientSessionCtx = clientSessionCtx;
        return super.createTokenResponse(user, userSession, clientSessionCtx, scopeParam, code, clientPolicyContextGenerator);
    }

    /** Before 26.6: binds the tokens here (see LegacyTokenBinding); a no-op where post-processors run. */
    @Override
    protected void checkAndBindMtlsHoKToken(TokenManager.AccessTokenResponseBuilder responseBuilder, boolean useRefreshToken) {
        super.checkAndBindMtlsHoKToken(responseBuilder, useRefreshToken);
        LegacyTokenBinding.bind(session, realm, client, context.getGrantType(), formParams, mcpClientSessionCtx, responseBuilder, event, cors);
    }

    @Override
    public Response process(Context context) {
        TokenRequestResourceChecks.rejectResourceForUnboundGrant(context, "the device authorization grant");
        return super.process(context);
    }
}
