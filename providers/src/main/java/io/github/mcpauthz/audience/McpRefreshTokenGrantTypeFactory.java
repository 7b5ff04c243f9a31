package io.github.mcpauthz.audience;

import io.github.mcpauthz.core.KeycloakCompat;
import java.util.Set;

import jakarta.ws.rs.core.Response;
import org.keycloak.protocol.oidc.TokenManager;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.protocol.oidc.grants.OAuth2GrantTypeFactory;
import org.keycloak.protocol.oidc.grants.RefreshTokenGrantType;
import org.keycloak.protocol.oidc.grants.RefreshTokenGrantTypeFactory;

/**
 * The factory (service loader) and the grant ({@link #create}) in one class: Keycloak's refresh_token grant, with a repeated {@code resource} answered as {@code invalid_target}
 * in MCP realms. Same id as the built-in factory, which it replaces; everything else is Keycloak's code.
 */
public class McpRefreshTokenGrantTypeFactory extends RefreshTokenGrantType implements OAuth2GrantTypeFactory {

    /** Keycloak's own factory: id, shortcut stay Keycloak's; its grant where the jar is inactive. */
    private static final RefreshTokenGrantTypeFactory KEYCLOAK = new RefreshTokenGrantTypeFactory();

    /** The session of the token request this grant serves (the grant's own is only set in process()); null in the factory. */
    private final KeycloakSession keycloakSession;

    public McpRefreshTokenGrantTypeFactory() {
        this(null);
    }

    private McpRefreshTokenGrantTypeFactory(KeycloakSession keycloakSession) {
        this.keycloakSession = keycloakSession;
    }

    @Override
    public OAuth2GrantType create(KeycloakSession session) {
        if (!KeycloakCompat.supported()) {
            return KEYCLOAK.create(session);
        }
        return new McpRefreshTokenGrantTypeFactory(session);
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
}
