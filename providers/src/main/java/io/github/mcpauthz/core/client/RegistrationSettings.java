package io.github.mcpauthz.core.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.keycloak.component.ComponentModel;

/**
 * The settings of the two MCP registration policies, once: their ids, configuration keys and defaults, and how a
 * stored policy component reads as {@link DynamicClientMetadata.Rules}. The registration policies (DCR), the CIMD
 * executor and the realm set-up all read them from here.
 */
public final class RegistrationSettings {

    /** Client policy executor that registers clients from their client ID metadata documents (CIMD). */
    public static final String CIMD_EXECUTOR_ID = "mcp-client-id-metadata-document";

    /** Registration policy that validates and locks down dynamic clients. */
    public static final String CLIENT_POLICY_ID = "mcp-dynamic-client";
    public static final String ALLOWED_AUTH_METHODS = "allowed-token-endpoint-auth-methods";
    public static final String MAX_REDIRECT_URIS = "max-redirect-uris";
    public static final String ALLOW_PRIVATE_USE_SCHEMES = "allow-private-use-schemes";
    public static final String ALLOWED_SCHEMES = "allowed-single-word-schemes";
    public static final int DEFAULT_MAX_REDIRECT_URIS = 10;

    /** Registration policy that limits how many dynamic clients exist and how fast they are created. */
    public static final String LIMITS_POLICY_ID = "mcp-dynamic-client-limits";
    public static final String MAX_DYNAMIC_CLIENTS = "max-dynamic-clients";
    public static final String REGISTRATIONS_PER_ADDRESS = "registrations-per-address";
    public static final String RATE_WINDOW = "rate-window-seconds";
    public static final String IDLE_LIFETIME = "idle-lifetime-seconds";
    public static final int DEFAULT_MAX_DYNAMIC_CLIENTS = 1000;
    public static final int DEFAULT_REGISTRATIONS_PER_ADDRESS = 30;
    public static final long DEFAULT_RATE_WINDOW = 600;
    public static final long DEFAULT_IDLE_LIFETIME = 30L * 24 * 3600;

    private RegistrationSettings() {
    }

    /** The configured single-word schemes, lower-cased; the default list when the setting was never saved. */
    public static List<String> allowedSchemes(ComponentModel model) {
        if (model.getConfig() == null || !model.getConfig().containsKey(ALLOWED_SCHEMES)) {
            return RedirectUriRules.DEFAULT_ALLOWED_SCHEMES;
        }
        return list(model, ALLOWED_SCHEMES).stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    }

    /** The configured methods; tolerates the admin console's "a##b" form of multivalued lists. */
    public static List<String> authMethods(ComponentModel model) {
        return list(model, ALLOWED_AUTH_METHODS);
    }

    private static List<String> list(ComponentModel model, String key) {
        List<String> out = new ArrayList<>();
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

    /** The validation rules a {@value #CLIENT_POLICY_ID} policy component sets. */
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

    /** The rules when no policy component is configured. */
    public static DynamicClientMetadata.Rules defaultRules() {
        return new DynamicClientMetadata.Rules(DEFAULT_MAX_REDIRECT_URIS, DynamicClientMetadata.DEFAULT_AUTH_METHODS, true);
    }
}
