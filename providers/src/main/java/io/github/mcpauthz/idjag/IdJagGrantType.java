package io.github.mcpauthz.idjag;

import org.keycloak.OAuthErrorException;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;

import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.McpRejection;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.McpServerRegistry;
import io.github.mcpauthz.core.ServerScopes;
import jakarta.ws.rs.core.Response;
import org.keycloak.OAuth2Constants;
import org.keycloak.authentication.authenticators.client.ClientAssertionState;
import org.keycloak.broker.provider.BrokeredIdentityContext;
import org.keycloak.broker.provider.JWTAuthorizationGrantProvider;
import org.keycloak.cache.AlternativeLookupProvider;
import org.keycloak.events.Details;
import org.keycloak.events.Errors;
import org.keycloak.jose.jws.JWSInput;
import org.keycloak.jose.jws.JWSInputException;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.FederatedIdentityModel;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.IdentityProviderType;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.oidc.OIDCAdvancedConfigWrapper;
import org.keycloak.protocol.oidc.OIDCConfigAttributes;
import org.keycloak.protocol.oidc.TokenManager;
import org.keycloak.protocol.oidc.grants.DefaultJWTAuthorizationGrantValidator;
import org.keycloak.protocol.oidc.grants.JWTAuthorizationGrantType;
import org.keycloak.representations.JsonWebToken;
import org.keycloak.services.CorsErrorResponseException;
import org.keycloak.services.Urls;
import org.keycloak.services.clientpolicy.ClientPolicyException;
import org.keycloak.services.clientpolicy.context.JWTAuthorizationGrantContext;
import org.keycloak.services.managers.AuthenticationSessionManager;
import org.keycloak.services.managers.UserSessionManager;
import org.keycloak.services.resources.IdentityBrokerService;
import org.keycloak.sessions.AuthenticationSessionModel;
import org.keycloak.sessions.RootAuthenticationSessionModel;

/**
 * Keycloak's JWT authorization grant (RFC 7523, {@code urn:ietf:params:oauth:grant-type:jwt-bearer}), with the MCP
 * enterprise-managed authorization profile (ID-JAG) in MCP realms.
 *
 * <p>An assertion whose {@code typ} is {@value IdJagPolicy#TYP}, or that names a {@code resource}, is an ID-JAG. It
 * is accepted only when: {@code typ} is right; {@code client_id} is the authenticated (confidential) client;
 * {@code aud} is exactly the realm's issuer; {@code iss} is an enabled identity provider of type
 * {@code jwt-authorization-grant} that the client is allowed to use (Keycloak's own client settings); the signature
 * verifies with that provider's keys (its JWKS URL or configured key); {@code iat}, {@code exp} and {@code jti} are
 * present, the assertion is active and its {@code jti} was never used (Keycloak's single-use store, cluster-wide);
 * {@code resource} is a registered MCP server; every requested scope is asserted; and the user is linked to the
 * provider on {@code sub}. The token's {@code aud} is the server, its scope the requested (or asserted) scopes.
 * Keycloak's experimental {@code identity-assertion-jwt} feature is not needed. Other assertions, and realms without
 * MCP support, get Keycloak's grant unchanged.
 */
public class IdJagGrantType extends JWTAuthorizationGrantType {

    @Override
    public Response process(Context context) {
        if (!McpRealm.isEnabled(context.getRealm())) {
            return super.process(context);
        }
        String assertion = context.getFormParams().getFirst(OAuth2Constants.ASSERTION);
        JWSInput jws;
        JsonWebToken jwt;
        try {
            jws = assertion == null ? null : new JWSInput(assertion);
            jwt = jws == null ? null : jws.readJsonContent(JsonWebToken.class);
        } catch (JWSInputException | RuntimeException e) {
            return super.process(context); // Keycloak answers invalid_grant.
        }
        if (jws == null || !IdJagPolicy.isIdJag(jws.getHeader().getType(), jwt)) {
            return super.process(context);
        }
        setContext(context);
        try {
            return processIdJag(jws, jwt, assertion);
        } catch (McpRejection e) {
            throw refuse(e.error(), e.getMessage());
        } catch (CorsErrorResponseException e) {
            throw e;
        } catch (RuntimeException e) {
            // Keycloak's validators report every failure as a RuntimeException with a description.
            throw refuse(OAuthErrorException.INVALID_GRANT, e.getMessage() == null ? "Invalid ID-JAG" : e.getMessage());
        }
    }

    private Response processIdJag(JWSInput jws, JsonWebToken jwt, String assertion) throws McpRejection {
        String issuer = Urls.realmIssuer(session.getContext().getUri().getBaseUri(), realm.getName());
        event.detail(Details.IDENTITY_PROVIDER_ISSUER, jwt.getIssuer());
        event.detail(Details.IDENTITY_PROVIDER_USER_ID, jwt.getSubject());

        // 1. Everything that needs no key: refusals only, nothing is stored.
        if (client.isPublicClient()) {
            throw new McpRejection(OAuthErrorException.UNAUTHORIZED_CLIENT, "A public client cannot use an ID-JAG");
        }
        IdJagPolicy.checkClaims(jws.getHeader().getType(), jwt, client.getClientId(), issuer);
        IdentityProviderModel idp = trustedProvider(jwt.getIssuer());
        McpServer server = IdJagPolicy.server(McpServerRegistry.index(realm), jwt, formParams.get(OAuth2Constants.RESOURCE));
        // As at the authorization endpoint: a client asking for a registered server gets the server's scopes as
        // optional scopes (made on first use), so that it can ask for them; the assertion still bounds the scope.
        ServerScopes.attach(session, realm, client, server);
        String scope = IdJagPolicy.scope(jwt, formParams.getFirst(OAuth2Constants.SCOPE), clientScopeNames());
        if (scope.isEmpty()) {
            scope = null;
        }
        if (!TokenManager.isValidScope(session, scope, client)) {
            throw new McpRejection(OAuthErrorException.INVALID_SCOPE, "Scope " + IdJagPolicy.printable(scope)
                    + " is not available to client " + client.getClientId());
        }
        event.detail(Details.AUDIENCE, server.audience());

        // 2. The signature with the provider's keys, then expiry and replay (the jti is stored only now).
        JWTAuthorizationGrantProvider provider = IdentityBrokerService.getIdentityProvider(session, idp, JWTAuthorizationGrantProvider.class);
        if (provider == null) {
            throw new McpRejection(OAuthErrorException.INVALID_GRANT, "Identity provider " + idp.getAlias()
                    + " cannot verify JWT authorization grants");
        }
        ClientAssertionState state = new ClientAssertionState(OAuth2Constants.JWT_AUTHORIZATION_GRANT, assertion, jws, jwt);
        state.setClient(client);
        IdJagValidator validator = new IdJagValidator(session, scope, state);
        validator.validateSignatureAlgorithm(provider.getAssertionSignatureAlg());
        BrokeredIdentityContext identity = provider.validateAuthorizationGrantAssertion(validator);
        if (identity == null) {
            throw new McpRejection(OAuthErrorException.INVALID_GRANT, "The ID-JAG's signature does not verify");
        }
        validator.validateTokenActive(provider.getAllowedClockSkew(), provider.getMaxAllowedExpiration(), false);

        // 3. The user linked to the provider on sub.
        UserModel user = session.users().getUserByFederatedIdentity(realm, new FederatedIdentityModel(idp.getAlias(),
                identity.getId(), identity.getUsername(), identity.getToken()));
        if (user == null || !user.isEnabled() || user.getRequiredActionsStream().findAny().isPresent()) {
            throw new McpRejection(OAuthErrorException.INVALID_GRANT, "No active user of this realm is linked to "
                    + "identity provider " + idp.getAlias() + " as " + IdJagPolicy.printable(jwt.getSubject()));
        }
        event.user(user);
        event.detail(Details.USERNAME, user.getUsername());
        if (!TokenManager.verifyConsentStillAvailable(session, user, client, null, scope)) {
            throw new McpRejection(OAuthErrorException.INVALID_SCOPE, "Missing consents for the client " + client.getClientId());
        }
        try {
            session.clientPolicy().triggerOnEvent(new JWTAuthorizationGrantContext(session, validator, idp.getAlias()));
        } catch (ClientPolicyException cpe) {
            event.detail(Details.CLIENT_POLICY_ERROR, cpe.getError());
            event.detail(Details.CLIENT_POLICY_ERROR_DETAIL, cpe.getErrorDetail());
            throw new McpRejection(cpe.getError(), cpe.getErrorDetail());
        }

        // 4. A transient session and the token, for the server only, with at most the asserted scopes.
        RootAuthenticationSessionModel root = new AuthenticationSessionManager(session).createAuthenticationSession(realm, false);
        AuthenticationSessionModel authSession = createSessionModel(root, user, client, scope);
        UserSessionModel userSession = new UserSessionManager(session).createUserSession(authSession.getParentSession().getId(),
                realm, user, user.getUsername(), clientConnection.getRemoteHost(), "id-jag", false, null, null,
                UserSessionModel.SessionPersistenceState.TRANSIENT);
        event.session(userSession);
        ClientSessionContext clientSessionCtx = TokenManager.attachAuthenticationSession(session, userSession, authSession,
                restrictedScopes(validator.getRestrictedScopes(), scope), false);
        TokenManager.AccessTokenResponseBuilder responseBuilder = createTokenResponseBuilder(user, userSession, clientSessionCtx, scope, null);
        clientSessionCtx.setAttribute(McpServerRegistry.GRANT_BOUND_RESOURCE, server.audience());
        if (provider.isLimitAccessTokenExpiration() && jwt.getExp() < responseBuilder.getAccessToken().getExp()) {
            responseBuilder.getAccessToken().exp(jwt.getExp());
        }
        return createTokenResponse(responseBuilder, clientSessionCtx, true);
    }

    /** The enabled jwt-authorization-grant provider for {@code iss}, which the client is allowed to use. */
    private IdentityProviderModel trustedProvider(String iss) throws McpRejection {
        IdentityProviderModel idp;
        try {
            idp = session.getProvider(AlternativeLookupProvider.class)
                    .lookupIdentityProviderFromIssuer(session, IdentityProviderType.JWT_AUTHORIZATION_GRANT, iss);
        } catch (RuntimeException e) {
            idp = null; // Two providers with the same issuer: trust neither.
        }
        if (idp == null || !idp.isEnabled()) {
            throw new McpRejection(OAuthErrorException.INVALID_GRANT, "Unknown issuer: " + IdJagPolicy.printable(iss)
                    + " is not an identity provider this realm trusts for JWT authorization grants");
        }
        OIDCAdvancedConfigWrapper config = OIDCAdvancedConfigWrapper.fromClientModel(client);
        if (!Boolean.parseBoolean(client.getAttribute(OIDCConfigAttributes.JWT_AUTHORIZATION_GRANT_ENABLED))
                || !config.getJWTAuthorizationGrantAllowedIdentityProviders().contains(idp.getAlias())) {
            throw new McpRejection(OAuthErrorException.UNAUTHORIZED_CLIENT, "Client " + client.getClientId()
                    + " is not allowed to use JWT authorization grants from identity provider " + idp.getAlias());
        }
        event.detail(Details.IDENTITY_PROVIDER, idp.getAlias());
        return idp;
    }

    /** The token's scopes, and the client's default scopes that are never in {@code scope} (mappers such as sub). */
    private Set<String> restrictedScopes(Set<String> fromPolicies, String scope) {
        Set<String> restricted = client.getClientScopes(true).values().stream()
                .filter(s -> !s.isIncludeInTokenScope())
                .map(ClientScopeModel::getName)
                .collect(Collectors.toCollection(HashSet::new));
        restricted.addAll(IdJagPolicy.split(scope));
        if (fromPolicies != null) {
            restricted.retainAll(fromPolicies);
        }
        return restricted;
    }

    private Set<String> clientScopeNames() {
        Set<String> names = new HashSet<>(client.getClientScopes(true).keySet());
        names.addAll(client.getClientScopes(false).keySet());
        return names;
    }

    private CorsErrorResponseException refuse(String error, String description) {
        event.detail(Details.REASON, description);
        event.error(OAuthErrorException.UNAUTHORIZED_CLIENT.equals(error) ? Errors.NOT_ALLOWED : Errors.INVALID_REQUEST);
        return new CorsErrorResponseException(cors, error, description, Response.Status.BAD_REQUEST);
    }

    /** Keycloak's validator for the JWT authorization grant, with the replay store keyed per issuer. */
    static final class IdJagValidator extends DefaultJWTAuthorizationGrantValidator {

        IdJagValidator(org.keycloak.models.KeycloakSession session, String scope, ClientAssertionState state) {
            super(session, scope, state);
        }

        @Override
        protected String getJtiCacheKeyPrefix() {
            return "mcp-id-jag:" + getJWT().getIssuer();
        }
    }
}
