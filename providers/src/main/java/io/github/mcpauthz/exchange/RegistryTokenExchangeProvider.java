package io.github.mcpauthz.exchange;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import io.github.mcpauthz.core.ExchangeAudiences;
import io.github.mcpauthz.core.KeycloakCompat;
import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.McpRejection;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.McpServerIndex;
import io.github.mcpauthz.core.McpServerRegistry;
import jakarta.ws.rs.core.Response;
import org.keycloak.OAuth2Constants;
import org.keycloak.OAuthErrorException;
import org.keycloak.events.Details;
import org.keycloak.events.Errors;
import org.keycloak.jose.jws.JWSInput;
import org.keycloak.jose.jws.JWSInputException;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.oidc.TokenExchangeContext;
import org.keycloak.protocol.oidc.TokenManager;
import org.keycloak.protocol.oidc.tokenexchange.StandardTokenExchangeProvider;
import org.keycloak.representations.AccessToken;
import org.keycloak.representations.JsonWebToken;
import org.keycloak.services.CorsErrorResponseException;

/**
 * Keycloak's standard token exchange (v2), with the registry's rules for tokens issued for an MCP server.
 *
 * <p>Keycloak lets a client exchange a token only when the client is in the token's {@code aud}. A token for an MCP
 * server names only the server's resource URI, so no client could exchange it. This provider takes exactly the
 * exchanges whose subject token names a registered MCP server (in an MCP realm) and replaces that one check with the
 * registry's: the requesting client must be the server's exchange client, and the target must be one of the server's
 * downstream audiences ({@link RegistryExchangePolicy}). Everything else (subject token verification, sessions,
 * consents, protocol mappers, events) is Keycloak's standard exchange. The result names exactly the target in
 * {@code aud}, keeps the user ({@code sub}), carries at most the subject token's scopes, and records the server in
 * {@code act}. Every other exchange is left to Keycloak's own providers.
 */
public class RegistryTokenExchangeProvider extends StandardTokenExchangeProvider {

    private McpServer subjectServer;
    private RegistryExchangePolicy.Target target;
    private ClientModel targetClient;
    private String scope;
    private Object previousActor;

    @Override
    public boolean supports(TokenExchangeContext context) {
        if (!McpRealm.isEnabled(context.getRealm())) {
            return false;
        }
        var form = context.getFormParams();
        if (form.getFirst(OAuth2Constants.REQUESTED_SUBJECT) != null || form.getFirst(OAuth2Constants.REQUESTED_ISSUER) != null
                || form.getFirst(OAuth2Constants.SUBJECT_ISSUER) != null) {
            return false; // Not a standard exchange: Keycloak's providers answer it.
        }
        if (namesAServer(context)) {
            return true;
        }
        // Before 26.6 no token post-processor filters the servers of other exchanges: this provider takes every
        // standard exchange of an MCP realm (exactly when Keycloak's would) to do it in checkRequestedAudiences.
        return !KeycloakCompat.has(KeycloakCompat.Capability.TOKEN_POST_PROCESSOR) && super.supports(context);
    }

    /** Whether the subject token is an access token naming a registered MCP server. */
    private static boolean namesAServer(TokenExchangeContext context) {
        String subjectToken = context.getParams().getSubjectToken();
        if (subjectToken == null || !OAuth2Constants.ACCESS_TOKEN_TYPE.equals(context.getParams().getSubjectTokenType())) {
            return false;
        }
        // Only picks the provider: the token is verified (signature, issuer, expiry, session) before it is used.
        String[] audience;
        try {
            audience = new JWSInput(subjectToken).readJsonContent(JsonWebToken.class).getAudience();
        } catch (JWSInputException | RuntimeException e) {
            return false;
        }
        return !RegistryExchangePolicy.serversIn(McpServerRegistry.index(context.getRealm()), audience).isEmpty();
    }

    @Override
    protected Response exchangeClientToClient(UserModel targetUser, UserSessionModel targetUserSession, AccessToken token,
                                              boolean disallowOnHolderOfTokenMismatch) {
        McpServerIndex index = McpServerRegistry.index(realm);
        if (RegistryExchangePolicy.serversIn(index, token.getAudience()).isEmpty()) {
            return super.exchangeClientToClient(targetUser, targetUserSession, token, disallowOnHolderOfTokenMismatch);
        }
        try {
            subjectServer = RegistryExchangePolicy.subjectServer(index, token.getAudience(), client.getClientId(),
                    client.isPublicClient());
            String requestedType = params.getRequestedTokenType();
            if (requestedType != null && !OAuth2Constants.ACCESS_TOKEN_TYPE.equals(requestedType)) {
                throw new McpRejection(OAuthErrorException.INVALID_REQUEST, "requested_token_type "
                        + RegistryExchangePolicy.printable(requestedType) + " is not supported for an MCP server's token; "
                        + "only " + OAuth2Constants.ACCESS_TOKEN_TYPE);
            }
            target = RegistryExchangePolicy.target(index, subjectServer, params.getAudience(), params.getResource());
            if (target.clientId() != null) {
                targetClient = realm.getClientByClientId(target.clientId());
                if (targetClient == null || !targetClient.isEnabled()) {
                    throw new McpRejection(OAuthErrorException.INVALID_TARGET,
                            "Client " + target.clientId() + " is not available as a token exchange audience");
                }
            }
            scope = RegistryExchangePolicy.scope(token.getScope(), formParams.getFirst(OAuth2Constants.SCOPE), clientScopeNames());
            if (scope.isEmpty()) {
                scope = null;
            }
        } catch (McpRejection e) {
            throw refuse(e);
        }
        if (!TokenManager.isValidScope(session, scope, client, null)) {
            throw refuse(new McpRejection(OAuthErrorException.INVALID_SCOPE,
                    "Scope " + RegistryExchangePolicy.printable(scope) + " is not available to client " + client.getClientId()));
        }
        previousActor = token.getOtherClaims().get(RegistryExchangePolicy.ACT);
        context.setRestrictedScopes(restrictedScopes(token));
        event.detail(Details.AUDIENCE, target.audience());
        return super.exchangeClientToClient(targetUser, targetUserSession, token, disallowOnHolderOfTokenMismatch);
    }

    @Override
    protected List<ClientModel> getTargetAudienceClients() {
        if (target == null) {
            return super.getTargetAudienceClients();
        }
        // A client target restricts the token's roles to that client; an MCP server target is not a client.
        List<ClientModel> clients = new ArrayList<>();
        if (targetClient != null) {
            clients.add(targetClient);
        }
        return clients;
    }

    @Override
    protected void validateAudience(AccessToken token, boolean disallowOnHolderOfTokenMismatch, List<ClientModel> targetAudienceClients) {
        if (target == null) {
            super.validateAudience(token, disallowOnHolderOfTokenMismatch, targetAudienceClients);
        }
        // Otherwise the registry has decided: the client is the server's exchange client, the target is allowed.
    }

    @Override
    protected String getRequestedScope(AccessToken token, List<ClientModel> targetAudienceClients) {
        return target == null ? super.getRequestedScope(token, targetAudienceClients) : scope;
    }

    @Override
    protected void checkRequestedAudiences(TokenManager.AccessTokenResponseBuilder responseBuilder) {
        if (target == null) {
            super.checkRequestedAudiences(responseBuilder);
            if (!KeycloakCompat.has(KeycloakCompat.Capability.TOKEN_POST_PROCESSOR)) {
                ExchangeAudiences.keepRequestedServers(responseBuilder.getAccessToken(), McpServerRegistry.index(realm), formParams);
            }
            return;
        }
        AccessToken accessToken = responseBuilder.getAccessToken();
        accessToken.audience(target.audience());
        accessToken.getOtherClaims().put(RegistryExchangePolicy.ACT,
                RegistryExchangePolicy.actor(subjectServer, client.getClientId(), previousActor));
    }

    /** The subject token's scopes, and the client's default scopes that are never in {@code scope} (mappers only). */
    private Set<String> restrictedScopes(AccessToken token) {
        Set<String> restricted = client.getClientScopes(true).values().stream()
                .filter(s -> !s.isIncludeInTokenScope())
                .map(ClientScopeModel::getName)
                .collect(Collectors.toCollection(HashSet::new));
        restricted.addAll(RegistryExchangePolicy.split(token.getScope()));
        Set<String> earlier = context.getRestrictedScopes();
        if (earlier != null) {
            restricted.retainAll(earlier);
        }
        return restricted;
    }

    private Set<String> clientScopeNames() {
        Set<String> names = new HashSet<>(client.getClientScopes(true).keySet());
        names.addAll(client.getClientScopes(false).keySet());
        return names;
    }

    private CorsErrorResponseException refuse(McpRejection e) {
        event.detail(Details.REASON, e.getMessage());
        event.error(OAuthErrorException.UNAUTHORIZED_CLIENT.equals(e.error()) ? Errors.NOT_ALLOWED : Errors.INVALID_REQUEST);
        return new CorsErrorResponseException(cors, e.error(), e.getMessage(), Response.Status.BAD_REQUEST);
    }
}
