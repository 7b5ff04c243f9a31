package io.github.mcpauthz.core.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

import jakarta.ws.rs.core.Response;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.services.ErrorPageException;
import org.keycloak.services.managers.AuthenticationManager;
import org.keycloak.services.managers.UserConsentManager;

/**
 * Whether the authorization endpoint may send an error back to a client's redirect URI, or must show it on
 * Keycloak's error page instead (RFC 9700 §4.11.2, the authorization server as open redirector).
 *
 * <p>Anyone can register a dynamic client (or publish a client ID metadata document) with an https redirect URI on
 * a host of their choice; an error redirect to it, sent without any user interaction, would turn the IdP's trusted
 * domain into a redirector to that host. So for a dynamic client whose redirect URI is an https URI (not loopback,
 * not a private-use scheme) errors are redirected only when the browser's signed-in user has consented to that
 * client before. Loopback and private-use redirect URIs keep their error redirects: they cannot reach another
 * host, and native MCP clients rely on them. Admin-made clients keep Keycloak's behaviour.
 *
 * <p>Shared by the features that end an authorization with an error: the resource checks before login and the
 * access rule after login.
 */
public final class ErrorRedirects {

    private ErrorRedirects() {
    }

    /**
     * @param redirectUri the redirect URI Keycloak verified against the client's registered ones
     * @return true when an error may be redirected to {@code redirectUri}
     */
    public static boolean mayRedirect(KeycloakSession session, RealmModel realm, ClientModel client, String redirectUri) {
        if (!DynamicClients.isDynamic(client) || staysOnDevice(redirectUri)) {
            return true;
        }
        // Only on an error path: one cookie check and, with a signed-in user, one consent lookup.
        AuthenticationManager.AuthResult sso = AuthenticationManager.authenticateIdentityCookie(session, realm, true);
        return sso != null && mayRedirect(session, realm, client, redirectUri, sso.getUser());
    }

    /**
     * {@link #mayRedirect(KeycloakSession, RealmModel, ClientModel, String)} for a user the flow has already
     * authenticated (after login, before the SSO cookie is written).
     */
    public static boolean mayRedirect(KeycloakSession session, RealmModel realm, ClientModel client, String redirectUri,
                                      UserModel user) {
        if (!DynamicClients.isDynamic(client) || staysOnDevice(redirectUri)) {
            return true;
        }
        return user != null && UserConsentManager.getConsentByClient(session, realm, user, client.getId()) != null;
    }

    /**
     * True for redirect URIs that cannot leave the user's device: loopback ({@code http} or {@code https} on
     * 127.0.0.1, [::1] or localhost) and private-use schemes ({@code com.example.app:/cb}).
     */
    public static boolean staysOnDevice(String redirectUri) {
        if (redirectUri == null) {
            return false;
        }
        try {
            RedirectUriRules.Kind kind = RedirectUriRules.check(redirectUri, true).kind();
            if (kind == RedirectUriRules.Kind.LOOPBACK || kind == RedirectUriRules.Kind.PRIVATE_USE) {
                return true;
            }
            String host = new URI(redirectUri).getHost();
            return host != null && RedirectUriRules.LOOPBACK_HOSTS.contains(host.toLowerCase(Locale.ROOT));
        } catch (ClientMetadataException | URISyntaxException e) {
            return false;
        }
    }

    /** A redirect URI whose port no client can listen on (0, or above 65535); false when there is none. */
    public static boolean hasInvalidPort(String redirectUri) {
        if (redirectUri == null) {
            return false;
        }
        try {
            int port = new java.net.URI(redirectUri).getPort();
            return port == 0 || port > 65535;
        } catch (java.net.URISyntaxException e) {
            return false; // Keycloak's own redirect URI check refuses it.
        }
    }

    /** Keycloak's error page (HTTP 400) showing the OAuth error and its description. */
    public static ErrorPageException errorPage(KeycloakSession session, String error, String description) {
        String message = description == null || description.isBlank() ? error : error + ": " + description;
        return new ErrorPageException(session, Response.Status.BAD_REQUEST, message);
    }
}
