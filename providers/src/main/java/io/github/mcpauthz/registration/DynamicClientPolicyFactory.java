package io.github.mcpauthz.registration;

import static io.github.mcpauthz.core.client.RegistrationSettings.*;

import io.github.mcpauthz.core.client.RegistrationSettings;

import io.github.mcpauthz.core.client.DynamicClientMetadata;
import io.github.mcpauthz.core.client.RedirectUriRules;
import java.util.List;

import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.clientregistration.policy.AbstractClientRegistrationPolicyFactory;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy;

/** Admin-console face of {@link DynamicClientPolicy}. */
public class DynamicClientPolicyFactory extends AbstractClientRegistrationPolicyFactory {

    public static final String ID = RegistrationSettings.CLIENT_POLICY_ID;



    private static final List<ProviderConfigProperty> CONFIG = ProviderConfigurationBuilder.create()
            .property().name(ALLOWED_AUTH_METHODS).label("Allowed token endpoint auth methods")
            .type(ProviderConfigProperty.MULTIVALUED_LIST_TYPE)
            .options(DynamicClientMetadata.DEFAULT_AUTH_METHODS)
            .defaultValue(DynamicClientMetadata.DEFAULT_AUTH_METHODS)
            .helpText("token_endpoint_auth_method values a dynamic client may register. 'none' is a public client "
                    + "(what MCP SDKs register); the others are confidential clients. A request without the field "
                    + "means client_secret_basic (RFC 7591).")
            .add()
            .property().name(MAX_REDIRECT_URIS).label("Maximum redirect URIs").type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(Integer.toString(DEFAULT_MAX_REDIRECT_URIS))
            .helpText("Most redirect URIs one dynamic client may register.")
            .add()
            .property().name(ALLOW_PRIVATE_USE_SCHEMES).label("Allow private-use URI schemes")
            .type(ProviderConfigProperty.BOOLEAN_TYPE).defaultValue("true")
            .helpText("Allow native apps to register private-use scheme redirect URIs such as "
                    + "com.example.app:/callback (RFC 8252 §7.1). Schemes with another meaning (javascript, data, "
                    + "file, ...) and schemes that start other programs of the operating system (ms-msdt, search-ms, "
                    + "ms-officecmd, jnlp, itms-services, ...) are always refused.")
            .add()
            .property().name(ALLOWED_SCHEMES).label("Allowed single-word schemes")
            .type(ProviderConfigProperty.MULTIVALUED_STRING_TYPE)
            .defaultValue(RedirectUriRules.DEFAULT_ALLOWED_SCHEMES)
            .helpText("Private-use redirect URI schemes without a dot that native apps may register, such as cursor "
                    + "(Cursor registers cursor://anysphere.cursor-mcp/oauth/callback). Reverse domain name schemes "
                    + "(com.example.app) need no entry. Schemes that start other programs of the operating system "
                    + "cannot be added. Also applies to client ID metadata documents.")
            .add()
            .build();

    @Override
    public ClientRegistrationPolicy create(KeycloakSession session, ComponentModel model) {
        return new DynamicClientPolicy(session, model);
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getHelpText() {
        return "MCP dynamic clients: accepts registrations from MCP clients and nothing else. Redirect URIs must be "
                + "https, http on a loopback host (any port at login) or a private-use scheme for native apps (reverse "
                + "domain name, or a listed single word); no URL Keycloak would fetch (request_uris, jwks_uri, "
                + "sector_identifier_uri, back-channel logout); only "
                + "the authorization_code and refresh_token grants; PKCE S256 required; consent always asked; full "
                + "scope off. Records how, when and from where the client registered. Registration updates cannot "
                + "weaken any of this. Rejections are RFC 7591 errors (invalid_redirect_uri, invalid_client_metadata).";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return CONFIG;
    }

    @Override
    public void validateConfiguration(KeycloakSession session, RealmModel realm, ComponentModel config)
            throws ComponentValidationException {
        try {
            if (Integer.parseInt(config.get(MAX_REDIRECT_URIS, Integer.toString(DEFAULT_MAX_REDIRECT_URIS))) < 1) {
                throw new ComponentValidationException("Maximum redirect URIs must be at least 1");
            }
        } catch (NumberFormatException e) {
            throw new ComponentValidationException("Maximum redirect URIs must be a number");
        }
        for (String scheme : allowedSchemes(config)) {
            if (!RedirectUriRules.isAllowableSingleWordScheme(scheme)) {
                throw new ComponentValidationException("Not allowed as a single-word redirect URI scheme: " + scheme
                        + " (lower-case letters, digits, + and -, no dot, and not a scheme that starts another program)");
            }
        }
        for (String method : authMethods(config)) {
            if (!DynamicClientMetadata.DEFAULT_AUTH_METHODS.contains(method)) {
                throw new ComponentValidationException("Unsupported token endpoint auth method: " + method);
            }
        }
    }

}
