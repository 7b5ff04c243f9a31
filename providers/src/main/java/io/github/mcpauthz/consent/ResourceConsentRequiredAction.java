package io.github.mcpauthz.consent;

import java.util.Arrays;
import java.util.Optional;

import io.github.mcpauthz.realm.McpRealm;
import io.github.mcpauthz.registry.CanonicalResource;
import io.github.mcpauthz.registry.InvalidResourceException;
import io.github.mcpauthz.registry.McpServer;
import io.github.mcpauthz.registry.McpServerIndex;
import io.github.mcpauthz.registry.McpServerRegistry;
import org.keycloak.OAuth2Constants;
import org.keycloak.authentication.RequiredActionContext;
import org.keycloak.authentication.RequiredActionProvider;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.services.managers.AuthenticationManager;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * Makes consent per MCP server: before Keycloak decides whether to show the consent page, adds the grant scope of
 * the request's MCP server to the requested scopes of a consent-required client. A user who allowed the client for
 * server A is asked again for server B; prompt=none then answers consent_required. Never shown as a page itself.
 */
public class ResourceConsentRequiredAction implements RequiredActionProvider {

    private final KeycloakSession session;

    public ResourceConsentRequiredAction(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void evaluateTriggers(RequiredActionContext context) {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        RealmModel realm = context.getRealm();
        if (authSession == null || !McpRealm.isEnabled(realm)) {
            return;
        }
        ClientModel client = authSession.getClient();
        if (client == null || !client.isConsentRequired()) {
            return;
        }
        Optional<McpServer> server = serverOf(realm, authSession);
        if (server.isEmpty()) {
            return;
        }
        ClientScopeModel grant = ServerGrantScopes.attached(client, server.get());
        if (grant == null) {
            // Once per client and server: find (or repair) the realm's grant scope and attach it to the client.
            grant = KeycloakModelUtils.getClientScopeByName(realm, ServerGrantScopes.name(server.get()));
            if (grant == null) {
                grant = ServerGrantScopes.ensure(realm, server.get());
            }
            client.addClientScope(grant, false);
        }
        String scope = authSession.getClientNote(OAuth2Constants.SCOPE);
        String grantName = grant.getName();
        if (scope == null || Arrays.stream(scope.split(" ")).noneMatch(grantName::equals)) {
            authSession.setClientNote(OAuth2Constants.SCOPE, scope == null || scope.isBlank() ? grantName : scope + " " + grantName);
        }
        AuthenticationManager.setClientScopesInSession(session, authSession);
    }

    static Optional<McpServer> serverOf(RealmModel realm, AuthenticationSessionModel authSession) {
        McpServerIndex index = McpServerRegistry.index(realm);
        String resource = authSession.getClientNote(OAuth2Constants.RESOURCE);
        if (resource == null) {
            return index.defaultServer();
        }
        try {
            return index.find(CanonicalResource.parse(resource));
        } catch (InvalidResourceException e) {
            return Optional.empty();
        }
    }

    @Override
    public void requiredActionChallenge(RequiredActionContext context) {
        context.success();
    }

    @Override
    public void processAction(RequiredActionContext context) {
        context.success();
    }

    @Override
    public void close() {
    }
}
