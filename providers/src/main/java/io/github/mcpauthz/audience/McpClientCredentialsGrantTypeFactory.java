package io.github.mcpauthz.audience;

import java.util.List;
import java.util.Set;

import io.github.mcpauthz.core.KeycloakCompat;
import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.McpServerRegistry;
import io.github.mcpauthz.core.ServerScopes;
import jakarta.ws.rs.core.Response;
import org.keycloak.OAuth2Constants;
import org.keycloak.OAuthErrorException;
import org.keycloak.events.Details;
import org.keycloak.events.Errors;
import org.keycloak.models.ClientModel;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.protocol.oidc.TokenManager;
import org.keycloak.protocol.oidc.grants.ClientCredentialsGrantType;
import org.keycloak.protocol.oidc.grants.ClientCredentialsGrantTypeFactory;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.protocol.oidc.grants.OAuth2GrantTypeFactory;
import org.keycloak.services.CorsErrorResponseException;

/**
 * The factory (service loader) and the grant ({@link #create}) in one class: Keycloak's client_credentials grant, with machine clients in MCP realms: a {@code resource} names the one registered
 * MCP server the token is for, and only a server whose registry entry lists the client as a machine client may be
 * named ({@link TokenRequestResourceChecks#machineServer}); anything else is {@code invalid_target} before the grant
 * does anything. Another server's scopes in {@code scope} are dropped, and no refresh token is issued. Keycloak's own checks come first: a public,
 * bearer-only or service-account-less client stays {@code unauthorized_client}. Same id as the built-in factory,
 * which it replaces; everything else is Keycloak's code. {@link ResourceAudiencePostProcessor} sets {@code aud}.
 */
public class McpClientCredentialsGrantTypeFactory extends ClientCredentialsGrantType implements OAuth2GrantTypeFactory {

    /** Keycloak's own factory: id, shortcut stay Keycloak's; its grant where the jar is inactive. */
    private static final ClientCredentialsGrantTypeFactory KEYCLOAK = new ClientCredentialsGrantTypeFactory();

    /** The session of the token request this grant serves (the grant's own is only set in process()); null in the factory. */
    private final KeycloakSession keycloakSession;

    /** The server of this request, once checked; null without {@code resource}. */
    protected McpServer server;

    public McpClientCredentialsGrantTypeFactory() {
        this(null);
    }

    McpClientCredentialsGrantTypeFactory(KeycloakSession keycloakSession) {
        this.keycloakSession = keycloakSession;
    }

    @Override
    public OAuth2GrantType create(KeycloakSession keycloakSession) {
        if (!KeycloakCompat.supported()) {
            return KEYCLOAK.create(keycloakSession);
        }
        // Two returns, no conditional expression: the verifier then never loads WithRefreshRule on 26.4.
        if (KeycloakCompat.has(KeycloakCompat.Capability.CLIENT_CREDENTIALS_REFRESH_HOOK)) {
            return new WithRefreshRule(keycloakSession);
        }
        return new McpClientCredentialsGrantTypeFactory(keycloakSession);
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

    /**
     * The grant on Keycloak releases whose client-credentials grant asks {@code useRefreshToken()} (26.5+): no refresh
     * token for a machine client's server token. Never loaded on 26.4, where that method does not exist.
     */
    static class WithRefreshRule extends McpClientCredentialsGrantTypeFactory {

        WithRefreshRule(KeycloakSession keycloakSession) {
            super(keycloakSession);
        }

        /**
         * No refresh token for a machine client's server token, even when the client's "use refresh tokens for
         * client credentials grant" is on: a refresh would skip the registry check, so removing the client from
         * the server would not stop it. The client asks for a new token instead.
         */
        @Override
        protected boolean useRefreshToken() {
            return server == null && super.useRefreshToken();
        }
    }

    /** Before 26.6: binds the tokens here (see LegacyTokenBinding); a no-op where post-processors run. */
    @Override
    protected void checkAndBindMtlsHoKToken(TokenManager.AccessTokenResponseBuilder responseBuilder, boolean useRefreshToken) {
        super.checkAndBindMtlsHoKToken(responseBuilder, useRefreshToken);
        if (server != null && responseBuilder.getRefreshToken() != null
                && !KeycloakCompat.has(KeycloakCompat.Capability.CLIENT_CREDENTIALS_REFRESH_HOOK)) {
            // 26.4 does not ask useRefreshToken(): the same rule (see WithRefreshRule) by dropping the refresh
            // token before the response is built; where that is impossible, the request is refused.
            if (!LegacyTokenBinding.dropRefreshToken(responseBuilder)) {
                String description = "A machine client's MCP server token has no refresh token: turn off"
                        + " \"use refresh tokens for client credentials grant\" for this client";
                event.detail(Details.REASON, description).error(Errors.INVALID_REQUEST);
                throw new CorsErrorResponseException(cors, OAuthErrorException.INVALID_REQUEST, description,
                        Response.Status.BAD_REQUEST);
            }
        }
        LegacyTokenBinding.bind(session, realm, client, context.getGrantType(), formParams, null, responseBuilder, event, cors);
    }

    @Override
    public Set<String> getSupportedMultivaluedRequestParameters() {
        return TokenRequestResourceChecks.allowRepeated(keycloakSession, super.getSupportedMultivaluedRequestParameters());
    }

    @Override
    public Response process(Context context) {
        if (!McpRealm.isEnabled(context.getRealm())) {
            return super.process(context);
        }
        TokenRequestResourceChecks.rejectRepeated(context);
        List<String> resources = context.getFormParams().get(OAuth2Constants.RESOURCE);
        ClientModel client = context.getClient();
        if (resources != null && !resources.isEmpty() && mayUseGrant(client)) {
            server = TokenRequestResourceChecks.machineServer(context, resources.get(0));
        }
        // Without resource: Keycloak's grant; the token names no MCP server. A client that may not use the
        // grant at all gets Keycloak's unauthorized_client.
        return super.process(context);
    }

    @Override
    protected String getRequestedScopes() {
        if (server == null) {
            return super.getRequestedScopes();
        }
        String scope = ServerScopes.withoutForeign(McpServerRegistry.index(realm), server,
                formParams.getFirst(OAuth2Constants.SCOPE));
        if (scope != null && scope.isBlank()) {
            scope = null;
        }
        if (!TokenManager.isValidScope(session, scope, client, null)) {
            String errorMessage = "Invalid scopes: " + scope;
            event.detail(Details.REASON, errorMessage);
            event.error(Errors.INVALID_REQUEST);
            throw new CorsErrorResponseException(cors, OAuthErrorException.INVALID_SCOPE, errorMessage,
                    Response.Status.BAD_REQUEST);
        }
        return scope;
    }

    /** Keycloak's own conditions for the grant, which it checks (and answers) first. */
    private static boolean mayUseGrant(ClientModel client) {
        return client != null && !client.isBearerOnly() && !client.isPublicClient() && client.isServiceAccountsEnabled();
    }
}
