package io.github.mcpauthz.registration;

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

    public static final String ID = "mcp-dynamic-client";

    public static final String ALLOWED_AUTH_METHODS = "allowed-token-endpoint-auth-methods";
    public static final String MAX_REDIRECT_URIS = "max-redirect-uris";
    public static final String ALLOW_PRIVATE_USE_SCHEMES = "allow-private-use-schemes";
    public static final String ALLOWED_SCHEMES = "allowed-single-word-schemes";

    static final int DEFAULT_MAX_REDIRECT_URIS = 10;

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

    /** The configured single-word schemes, lower-cased; the default list when the setting was never saved. */
    static List<String> allowedSchemes(ComponentModel model) {
        if (model.getConfig() == null || !model.getConfig().containsKey(ALLOWED_SCHEMES)) {
            return RedirectUriRules.DEFAULT_ALLOWED_SCHEMES;
        }
        return list(model, ALLOWED_SCHEMES).stream().map(s -> s.toLowerCase(java.util.Locale.ROOT)).toList();
    }

    /** The configured methods; tolerates the admin console's "a##b" form of multivalued lists. */
    static List<String> authMethods(ComponentModel model) {
        return list(model, ALLOWED_AUTH_METHODS);
    }

    private static List<String> list(ComponentModel model, String key) {
        List<String> out = new java.util.ArrayList<>();
        List<String> stored = model.getConfig().getList(key);
        if (stored != null) {
            for (String entry : stored) {
                for (String method : entry.split("##")) {
                    if (!method.isBlank()) {
                        out.add(method.strip());
                    }
                }
            }
        }
        return out;
    }

    public static DynamicClientMetadata.Rules rules(ComponentModel model) {
        List<String> methods = authMethods(model);
        if (methods.isEmpty()) {
            methods = DynamicClientMetadata.DEFAULT_AUTH_METHODS;
        }
        int max;
        try {
            max = Integer.parseInt(model.get(MAX_REDIRECT_URIS, Integer.toString(DEFAULT_MAX_REDIRECT_URIS)));
        } catch (NumberFormatException e) {
            max = DEFAULT_MAX_REDIRECT_URIS;
        }
        return new DynamicClientMetadata.Rules(max, methods, model.get(ALLOW_PRIVATE_USE_SCHEMES, true),
                allowedSchemes(model));
    }
}
