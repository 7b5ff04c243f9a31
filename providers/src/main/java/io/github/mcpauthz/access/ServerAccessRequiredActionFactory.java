package io.github.mcpauthz.access;

import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.McpServerRegistry;
import io.github.mcpauthz.core.ResourceBinding;
import io.github.mcpauthz.core.client.ErrorRedirects;
import org.keycloak.OAuth2Constants;
import org.keycloak.OAuthErrorException;
import org.keycloak.authentication.RequiredActionContext;
import org.keycloak.Config;
import org.keycloak.authentication.RequiredActionFactory;
import org.keycloak.authentication.RequiredActionProvider;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.protocol.LoginProtocol;
import org.keycloak.protocol.LoginProtocol.Error;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * Enforces a server's access rule after login: when the authorization request's MCP server (its {@code resource}, or
 * the realm's default server) admits only some users and the signed-in user is not one of them, the authorization
 * ends with {@code access_denied} (with {@code error_description}, {@code state} and {@code iss}, no code) and a
 * {@code LOGIN_ERROR} event with error {@value #ERROR}. Runs after every login, including a silent SSO re-login, before
 * the consent page; a user who is admitted never sees it.
 *
 * <p>A dynamic client's https redirect URI gets the error only from a user who consented to that client before (the
 * rule that keeps the authorization endpoint from being an open redirector, {@link ErrorRedirects}); otherwise
 * Keycloak's error page says it.
 *
 * <p>Factory and provider in one class (it keeps no state, so every session shares the one instance); enabled in every
 * MCP realm by enable, never assigned to users.
 */
public class ServerAccessRequiredActionFactory implements RequiredActionFactory, RequiredActionProvider {

    public static final String ID = "mcp-server-access";
    public static final String DISPLAY_TEXT = "MCP: access rule per MCP server";

    /** Event error of a refused user, at login and at refresh. */
    public static final String ERROR = "mcp_server_access_denied";
    /** Event detail naming the MCP server. */
    public static final String RESOURCE_DETAIL = "resource";

    @Override
    public void evaluateTriggers(RequiredActionContext context) {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        if (authSession == null || !McpRealm.isEnabled(context.getRealm()) || context.getUser() == null) {
            return;
        }
        if (refusedServer(context) != null) {
            authSession.addRequiredAction(ServerAccessRequiredActionFactory.ID);
        }
    }

    /** The request's server when it has an access rule the user does not meet; else null. */
    private static McpServer refusedServer(RequiredActionContext context) {
        McpServer server;
        try {
            server = ResourceBinding.forAuthorization(McpServerRegistry.index(context.getRealm()),
                    context.getAuthenticationSession().getClientNote(OAuth2Constants.RESOURCE));
        } catch (ResourceBinding.InvalidTargetException e) {
            return null; // refused as invalid_target before login
        }
        if (server == null || !server.access().restricted() || isServiceAccount(context.getUser())) {
            return null;
        }
        return new UserRoles(context.getRealm(), context.getUser()).admitted(server.access()) ? null : server;
    }

    static boolean isServiceAccount(UserModel user) {
        return user.getServiceAccountClientLink() != null;
    }

    /** The {@code error_description} for a refused user. */
    static String denial(McpServer server) {
        return "The user is not allowed to use the MCP server " + server.audience();
    }

    @Override
    public void requiredActionChallenge(RequiredActionContext context) {
        McpServer server = refusedServer(context);
        if (server == null) {
            // Admitted meanwhile (an admin's change between trigger and challenge).
            context.getAuthenticationSession().removeRequiredAction(ServerAccessRequiredActionFactory.ID);
            context.success();
            return;
        }
        String description = denial(server);
        RealmModel realm = context.getRealm();
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        ClientModel client = authSession.getClient();
        // Keycloak's builder says CUSTOM_REQUIRED_ACTION here; the refusal is a failed login.
        EventBuilder event = context.getEvent().clone().event(EventType.LOGIN);
        event.client(client).user(context.getUser())
                .detail(RESOURCE_DETAIL, server.audience())
                .detail(Details.REASON, description)
                .error(ERROR);
        if (!ErrorRedirects.mayRedirect(context.getSession(), realm, client, authSession.getRedirectUri(), context.getUser())) {
            throw ErrorRedirects.errorPage(context.getSession(), OAuthErrorException.ACCESS_DENIED, description);
        }
        LoginProtocol protocol = context.getSession().getProvider(LoginProtocol.class, authSession.getProtocol());
        protocol.setRealm(realm)
                .setHttpHeaders(context.getHttpRequest().getHttpHeaders())
                .setUriInfo(context.getUriInfo())
                .setEventBuilder(event);
        context.challenge(protocol.sendError(authSession, Error.CONSENT_DENIED, description));
    }

    @Override
    public void processAction(RequiredActionContext context) {
        requiredActionChallenge(context);
    }

    @Override
    public RequiredActionProvider create(KeycloakSession session) {
        return this;
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getDisplayText() {
        return DISPLAY_TEXT;
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }
}
