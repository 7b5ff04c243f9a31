package io.github.mcpauthz.consent;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.ResourceBinding;
import io.github.mcpauthz.core.McpServerIndex;
import io.github.mcpauthz.core.ServerGrantScopes;
import io.github.mcpauthz.core.ServerScopes;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import io.github.mcpauthz.core.McpServerRegistry;
import org.keycloak.OAuth2Constants;
import org.keycloak.authentication.RequiredActionContext;
import org.keycloak.authentication.RequiredActionProvider;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * Makes consent per MCP server: before Keycloak decides whether to show the consent page, adds the grant scope of
 * the request's MCP server to the scopes a consent-required client's user is asked for (the authentication session's
 * client scopes, not the client's own scopes: nothing is attached to the client, so a "No" leaves nothing behind),
 * and removes any other grant scope. A user who allowed the client for server A is asked again for server B;
 * prompt=none then answers consent_required. Never shown as a page itself.
 */
public class ResourceConsentRequiredAction implements RequiredActionProvider {

    @Override
    public void evaluateTriggers(RequiredActionContext context) {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        RealmModel realm = context.getRealm();
        if (authSession == null || !McpRealm.isEnabled(realm)) {
            return;
        }
        ClientModel client = authSession.getClient();
        if (client == null) {
            return;
        }
        McpServerIndex index = McpServerRegistry.index(realm);
        McpServer server = serverOf(index, authSession).orElse(null);
        boolean consent = client.isConsentRequired();
        if (server == null && !consent) {
            return;
        }
        ClientScopeModel grant = null;
        if (server != null && consent) {
            // Made on the first consent asked for the server (in its own transaction), then found by id.
            grant = ServerGrantScopes.findOrCreate(context.getSession(), realm, server);
        }
        Set<String> current = authSession.getClientScopes();
        Set<String> scopes = scopesFor(current, id -> KeycloakModelUtils.findClientScopeById(realm, client, id), index,
                server, consent, grant);
        // Keycloak evaluates the triggers on every step of the login (the authorization request, then each
        // login-actions request): a set that is already right is not written again (each write is an update of the
        // authentication session, a cache write that a cluster replicates).
        if (!scopes.equals(current == null ? Set.of() : current)) {
            authSession.setClientScopes(scopes);
        }
        if (server != null) {
            String param = authSession.getClientNote(OIDCLoginProtocol.SCOPE_PARAM);
            String filtered = ServerScopes.withoutForeign(index, server, param);
            if (filtered != null && !filtered.equals(param)) {
                authSession.setClientNote(OIDCLoginProtocol.SCOPE_PARAM, filtered);
            }
        }
    }

    /**
     * The authentication session's scopes, each looked up once:
     * <ul>
     * <li>with a server, without another server's scopes: a token for a server carries only that server's scopes
     * (plus OIDC and other realm scopes), from the consent page to the token, for every client;</li>
     * <li>for a consent-required client, {@linkplain #withOnlyGrant with only the request's grant scope}.</li>
     * </ul>
     */
    static Set<String> scopesFor(Set<String> scopeIds, Function<String, ClientScopeModel> lookup, McpServerIndex index,
                                 McpServer server, boolean consent, ClientScopeModel grant) {
        Set<String> out = new LinkedHashSet<>();
        for (String id : scopeIds == null ? Set.<String>of() : scopeIds) {
            if (consent && grant != null && id.equals(grant.getId())) {
                out.add(id);
                continue;
            }
            ClientScopeModel scope = lookup.apply(id);
            boolean foreign = server != null && scope != null && !(scope instanceof ClientModel)
                    && ServerScopes.isForeign(index, server, scope.getName());
            if (!foreign && !(consent && ServerGrantScopes.isGrantScope(scope))) {
                out.add(id);
            }
        }
        if (consent && grant != null) {
            out.add(grant.getId());
        }
        return out;
    }

    /**
     * The scopes the user is asked to consent to: those Keycloak computed from the request, without any grant scope
     * (one attached to the client by hand, say) but the request's own server's, which is added. So consenting to a
     * request for server A can never grant server B, whatever the request's {@code scope} says.
     */
    static Set<String> withOnlyGrant(Set<String> scopeIds, ClientScopeModel grant, Function<String, ClientScopeModel> lookup) {
        return scopesFor(scopeIds, lookup, null, null, true, grant);
    }

    static Optional<McpServer> serverOf(McpServerIndex index, AuthenticationSessionModel authSession) {
        try {
            return Optional.ofNullable(ResourceBinding.forAuthorization(index,
                    authSession.getClientNote(OAuth2Constants.RESOURCE)));
        } catch (ResourceBinding.InvalidTargetException e) {
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
