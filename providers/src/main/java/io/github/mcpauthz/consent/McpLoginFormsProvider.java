package io.github.mcpauthz.consent;

import io.github.mcpauthz.core.McpServerRegistry;
import io.github.mcpauthz.core.ServerGrantScopes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.client.DynamicClients;
import io.github.mcpauthz.core.McpServer;
import freemarker.template.TemplateMethodModelEx;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.OAuth2Constants;
import org.keycloak.common.util.Time;
import org.keycloak.forms.login.freemarker.FreeMarkerLoginFormsProvider;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.OrderedModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserConsentModel;
import org.keycloak.models.UserModel;
import org.keycloak.rar.AuthorizationDetails;
import org.keycloak.services.managers.UserConsentManager;
import org.keycloak.sessions.AuthenticationSessionModel;
import org.keycloak.theme.Theme;

/**
 * Keycloak's FreeMarker login forms, with one change: the consent page of a dynamically registered client in an MCP
 * realm gets the template attribute {@code mcp} ({@link McpConsentBean}: who is asking, where the user is sent back,
 * which MCP server, which scopes) and is rendered with the {@value #THEME} login theme, whatever the realm's login
 * theme is. Every other page, and the consent page of admin-made clients, is exactly Keycloak's.
 */
public class McpLoginFormsProvider extends FreeMarkerLoginFormsProvider {

    /** The login theme that renders the MCP consent page. */
    public static final String THEME = "mcp";
    /** Template attribute holding the {@link McpConsentBean}. */
    public static final String ATTRIBUTE = "mcp";

    private static final Logger LOG = Logger.getLogger(McpLoginFormsProvider.class);

    /** Keycloak's consent page order: GUI order (numeric), then name. */
    private static final Comparator<ClientScopeModel> ORDER = Comparator
            .comparing((ClientScopeModel scope) -> scope, OrderedModel.OrderedModelComparator.<ClientScopeModel>getInstance())
            .thenComparing(scope -> Objects.toString(scope.getName(), ""));

    private boolean mcpConsent;

    public McpLoginFormsProvider(KeycloakSession session) {
        super(session);
    }

    @Override
    public Response createOAuthGrant() {
        McpConsentBean bean = null;
        try {
            bean = consentBean();
        } catch (RuntimeException e) {
            // Never block a login over the extra information; the stock page still asks for consent.
            LOG.warn("Could not prepare the MCP consent page; showing Keycloak's", e);
        }
        if (bean != null) {
            attributes.put(ATTRIBUTE, bean);
            mcpConsent = true;
        }
        try {
            return super.createOAuthGrant();
        } finally {
            mcpConsent = false;
        }
    }

    @Override
    protected Theme getTheme() throws IOException {
        if (mcpConsent) {
            Theme theme = session.theme().getTheme(THEME, Theme.Type.LOGIN);
            // Keycloak falls back to its default theme when "mcp" cannot load (e.g. login-v2 disabled).
            if (theme != null && THEME.equals(theme.getName())) {
                return theme;
            }
            LOG.warnf("Login theme %s is not available; the MCP consent page falls back to the realm's theme", THEME);
        }
        return super.getTheme();
    }

    /** On the MCP consent page, {@code msg} remembers its fixed texts ({@link ConsentMessages}). */
    @Override
    protected Properties handleThemeResources(Theme theme, Locale locale) {
        Properties bundle = super.handleThemeResources(theme, locale);
        if (mcpConsent && attributes.get("msg") instanceof TemplateMethodModelEx keycloak) {
            attributes.put("msg", new ConsentMessages(keycloak, bundle, locale));
        }
        return bundle;
    }

    private McpConsentBean consentBean() {
        RealmModel realm = this.realm != null ? this.realm : session.getContext().getRealm();
        AuthenticationSessionModel authSession = authenticationSession;
        ClientModel client = authSession != null && authSession.getClient() != null ? authSession.getClient() : this.client;
        if (authSession == null || client == null || !McpRealm.isEnabled(realm) || !DynamicClients.isDynamic(client)) {
            return null;
        }
        UserModel person = authSession.getAuthenticatedUser() != null ? authSession.getAuthenticatedUser() : user;
        UserConsentModel stored = person == null ? null
                : UserConsentManager.getConsentByClient(session, realm, person, client.getId());
        Optional<McpServer> server = ResourceConsentRequiredAction.serverOf(McpServerRegistry.index(realm), authSession);

        List<AuthorizationDetails> pending = clientScopesRequested == null ? List.of() : clientScopesRequested;
        String clientItem = null;
        String serverItem = null;
        McpConsentBean.Scope offline = null;
        List<McpConsentBean.Scope> scopes = new ArrayList<>();
        Set<String> shown = new HashSet<>();
        List<AuthorizationDetails> sortedPending = new ArrayList<>(pending);
        sortedPending.sort(Comparator.comparing(AuthorizationDetails::getClientScope, ORDER));
        for (AuthorizationDetails details : sortedPending) {
            ClientScopeModel scope = details.getClientScope();
            if (scope == null) {
                continue;
            }
            shown.add(scope.getId());
            String parameter = ConsentScopes.parameter(details);
            boolean granted = ConsentScopes.granted(stored, scope, parameter);
            if (scope instanceof ClientModel) {
                clientItem = scope.getConsentScreenText();
            } else if (ServerGrantScopes.isGrantScope(scope)) {
                serverItem = scope.getConsentScreenText();
            } else if (OAuth2Constants.OFFLINE_ACCESS.equals(scope.getName())) {
                offline = new McpConsentBean.Scope(scope.getName(), scope.getConsentScreenText(), null, true, granted);
            } else {
                scopes.add(new McpConsentBean.Scope(scope.getName(), scope.getConsentScreenText(), parameter, true, granted));
            }
        }
        // Scopes of this request Keycloak does not ask for again: still part of what the client gets, so listed.
        List<ClientScopeModel> notAsked = new ArrayList<>();
        for (String id : authSession.getClientScopes()) {
            if (id == null || shown.contains(id) || id.equals(client.getId())) {
                continue;
            }
            ClientScopeModel scope = realm.getClientScopeById(id);
            if (scope == null || ServerGrantScopes.isGrantScope(scope) || !scope.isDisplayOnConsentScreen()) {
                continue;
            }
            if (OAuth2Constants.OFFLINE_ACCESS.equals(scope.getName())) {
                offline = new McpConsentBean.Scope(scope.getName(), scope.getConsentScreenText(), null, false, true);
            } else {
                notAsked.add(scope);
            }
        }
        notAsked.sort(ORDER);
        for (ClientScopeModel scope : notAsked) {
            scopes.add(new McpConsentBean.Scope(scope.getName(), scope.getConsentScreenText(), null, false, true));
        }
        boolean serverAllowedBefore = false;
        if (server.isPresent() && stored != null) {
            ClientScopeModel grant = ServerGrantScopes.find(realm, server.get());
            serverAllowedBefore = grant != null && stored.isClientScopeGranted(grant);
        }

        McpConsentBean.Client facts = new McpConsentBean.Client(client.getClientId(), client.getName(),
                client.getAttribute(DynamicClients.METHOD), seconds(client.getAttribute(DynamicClients.REGISTERED_AT)),
                clientItem, stored != null);
        McpConsentBean.Redirect redirect = McpConsentBean.Redirect.of(authSession.getRedirectUri());
        Locale locale = session.getContext().resolveLocale(user);
        return new McpConsentBean(facts, redirect,
                server.map(McpServer::name).orElse(null), server.map(McpServer::audience).orElse(null), serverItem,
                serverAllowedBefore, scopes, offline, locale, Time.currentTimeMillis());
    }

    private static Long seconds(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
